// 07 · 성능 (Performance) — README.md 를 먼저 읽으세요. Read README.md first.
import * as torch from '#engine';
import { todo } from '#kit/todo';

/**
 * One mixed-precision training step on (x, y) with cross-entropy; returns the loss as a number.
 * Only the forward pass and the loss run inside autocast: backward() runs outside the region, in
 * the dtypes the forward pass recorded (PyTorch's rule), and the update goes through the scaler so
 * that a step with inf/NaN gradients is skipped and S adapts.
 *
 * PyTorch:
 *   optimizer.zero_grad()
 *   with torch.autocast(device): loss = F.cross_entropy(model(x), y)
 *   scaler.scale(loss).backward(); scaler.step(optimizer); scaler.update()
 */
export async function ampTrainStep(
  model: torch.nn.Module,
  optimizer: torch.optim.Optimizer,
  scaler: torch.amp.GradScaler,
  x: torch.Tensor,
  y: torch.Tensor,
): Promise<number> {
  return todo('ampTrainStep', model, optimizer, scaler, x, y);
}

/**
 * Gradient accumulation: one optimizer step per `k` micro-batches. Each micro-batch's mean loss is
 * divided by k, so the summed gradients are the gradient of the mean over all k·B samples — the
 * same as one step on the whole batch (§7.1). A last group of fewer than k micro-batches is still
 * stepped, so no gradient leaks into the next call.
 */
export async function trainAccumulated(
  model: torch.nn.Module,
  optimizer: torch.optim.Optimizer,
  microBatches: readonly (readonly [torch.Tensor, torch.Tensor])[],
  k: number,
): Promise<void> {
  return todo('trainAccumulated', model, optimizer, microBatches, k);
}

/** A weight quantized symmetrically to int8, one scale for the whole tensor. */
export interface QuantizedWeight {
  /** int8 values, the weight's shape. */
  qweight: torch.Tensor;
  /** w ≈ scale · qweight. */
  scale: number;
}

/**
 * Symmetric per-tensor int8 quantization, PyTorch's weight observer: scale = max|w| / 127.5 (zero
 * point 0), q = clamp(round(w / scale), −128, 127), round half to even (torch.round does).
 */
export async function quantizeWeight(w: torch.Tensor): Promise<QuantizedWeight> {
  return todo('quantizeWeight', w);
}

/**
 * A dynamically quantized linear layer, by hand (§7.4): the input is quantized per call to uint8
 * with an affine scale and zero point from its own min and max (the range widened to hold 0):
 *   s_x = (max − min) / 255, z_x = clamp(round(−min / s_x), 0, 255), q_x = clamp(round(x / s_x) + z_x, 0, 255),
 * the product is taken in integers, (q_x − z_x)·q_wᵀ summed in int32, and only then scaled back:
 *   y = s_x · s_w · (q_x − z_x)·q_wᵀ + bias.
 * Dequantizing the weight and multiplying floats would skip exactly what makes int8 fast.
 */
export async function quantizedLinear(
  x: torch.Tensor,
  q: QuantizedWeight,
  bias: torch.Tensor | null,
): Promise<torch.Tensor> {
  return todo('quantizedLinear', x, q, bias);
}

/** The model with every nn.Linear dynamically quantized to int8 (the float model is left as it was). */
export async function quantizeModel<M extends torch.nn.Module>(model: M): Promise<M> {
  return todo('quantizeModel', model);
}

export interface Measurement {
  /** The median time of one call, in milliseconds. */
  ms: number;
  /** The most memory the calls held at once, in bytes above what was live before them. */
  peakBytes: number;
}

/**
 * Times `fn` as §7.5 says: `warmup` calls thrown away (compilation, pools), then `repeat` timed
 * calls, each awaited, and the median of them (one slow call — a GC — does not move it). Memory:
 * settle the figures, reset the peak, run, then read the peak — after the calls, not before.
 */
export async function measure(
  fn: () => unknown,
  options: { warmup?: number; repeat?: number; device?: torch.Device } = {},
): Promise<Measurement> {
  return todo('measure', fn, options);
}
