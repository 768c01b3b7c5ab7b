// 07 · 성능: mixed precision, gradient accumulation, int8 quantization and measuring them, solved.
// Guide §7.1 (accumulation), §7.2 (autocast, GradScaler), §7.4 (quantization), §7.5 (measuring).
import * as torch from '#engine';

const { functional: F } = torch.nn;

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
  optimizer.zeroGrad();
  // The device type follows the data: bfloat16 on the cpu, float16 on webgpu.
  const loss = torch.amp.autocast(x.device, () => F.crossEntropy(model.call(x), y));
  scaler.scale(loss).backward();
  await scaler.step(optimizer); // skips the update when a gradient overflowed
  scaler.update(); // halves S after a skipped step, doubles it after growthInterval clean ones
  return loss.item();
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
  optimizer.zeroGrad();
  for (let i = 0; i < microBatches.length; i++) {
    const [x, y] = microBatches[i]!;
    F.crossEntropy(model.call(x), y).div(k).backward(); // the graph (and its activations) dies here
    if ((i + 1) % k === 0 || i === microBatches.length - 1) {
      optimizer.step();
      optimizer.zeroGrad();
    }
  }
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
  const scale = Math.max((await w.abs().max().item()) / 127.5, 2 ** -23);
  const qweight = w.div(scale).round().clamp(-128, 127).to('int8');
  return { qweight, scale };
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
  const min = Math.min(await x.min().item(), 0);
  const max = Math.max(await x.max().item(), 0);
  const sx = max > min ? (max - min) / 255 : 1;
  const zx = Math.min(255, Math.max(0, Math.round(-min / sx)));
  const qx = x.div(sx).round().add(zx).clamp(0, 255).to('int32').sub(zx);
  const acc = qx.matmul(q.qweight.to('int32').t()); // int32 [B, out]: integer multiply-adds only
  const y = acc.to('float32').mul(sx * q.scale);
  return bias ? y.add(bias) : y;
}

/** The model with every nn.Linear dynamically quantized to int8 (the float model is left as it was). */
export async function quantizeModel<M extends torch.nn.Module>(model: M): Promise<M> {
  return torch.quantization.quantizeDynamic(model, [torch.nn.Linear], 'qint8');
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
  const { warmup = 2, repeat = 10, device = 'cpu' } = options;
  for (let i = 0; i < warmup; i++) await fn();
  await torch.memory.collect();
  const before = torch.memory.allocated(device);
  torch.memory.resetPeakStats(device);
  const times: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  const peakBytes = torch.memory.maxAllocated(device) - before;
  times.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  const ms = times.length % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
  return { ms, peakBytes };
}
