/**
 * torch.ao.nn.quantized.dynamic.Linear: a Linear whose weight is stored as int8 (per tensor or per
 * output channel, symmetric) and whose input is quantized per call to 7-bit unsigned integers
 * (scale and zero point from that batch's min and max). The product is summed exactly in int32
 * (WebAssembly SIMD where available), then y = s_x·s_w·Σ(q_x − z_x)·q_w + bias in float32:
 * PyTorch's quantized::linear_dynamic. Like PyTorch's quantized kernels it runs on the CPU and
 * is for inference (its output has no gradient).
 */
import { isFloatingPoint } from '../../dtype.ts';
import type { CpuBuffer } from '../../backends/cpu/buffer.ts';
import { packInt8Weight, quantizedLinear, type PackedInt8Weight } from '../../backends/cpu/wasm/int8-matmul.ts';
import { activationQParams, quantizeValue, symmetricScale } from '../../quantization/qparams.ts';
import { fromHost } from '../../tensor/create.ts';
import { formatShape } from '../../tensor/shape.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { Module } from '../module.ts';

export type QScheme = 'perTensorSymmetric' | 'perChannelSymmetric';

function assertCpu(t: Tensor, what: string): void {
  if (t.device !== 'cpu') {
    throw new Error(
      `${what} is on ${t.device}, but dynamically quantized layers run on the cpu (as PyTorch's quantized kernels do): call .to('cpu') first`,
    );
  }
}

/** Values of a CPU tensor in row-major order, read at once. */
function cpuValues(t: Tensor, what: string): ArrayLike<number> {
  assertCpu(t, what);
  return t.storage.backend.readSync!(t.strided);
}

/** The packed weight of each int8 weight tensor, so loading a new one packs it anew. */
const packedWeights = new WeakMap<Tensor, PackedInt8Weight>();

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly qscheme: QScheme;
  /** The int8 weight [outFeatures, inFeatures]. */
  declare qweight: Tensor;
  /** The weight's scales: one (per tensor) or one per output feature (per channel); zero points are 0. */
  declare scales: Tensor;
  declare bias: Tensor | null;

  /** From int8 values and scales; quantizeDynamic builds it with Linear.fromFloat. */
  constructor(qweight: Tensor, scales: Tensor, bias: Tensor | null, qscheme: QScheme) {
    super();
    if (qweight.dtype !== 'int8' || qweight.ndim !== 2) {
      throw new TypeError(`qweight must be a 2-D int8 tensor, got ${qweight.dtype} ${formatShape(qweight.shape)}`);
    }
    [this.outFeatures, this.inFeatures] = qweight.shape as [number, number];
    const nScales = qscheme === 'perChannelSymmetric' ? this.outFeatures : 1;
    if (scales.numel() !== nScales) {
      throw new RangeError(`${qscheme} needs ${nScales} scale(s), got ${formatShape(scales.shape)}`);
    }
    this.qscheme = qscheme;
    this.registerBuffer('qweight', qweight);
    this.registerBuffer('scales', scales);
    this.registerBuffer('bias', bias);
  }

  /** Quantizes a float Linear's weight (its values are read, so this awaits a GPU). */
  static async fromFloat(
    weight: Tensor,
    bias: Tensor | null,
    qscheme: QScheme = 'perTensorSymmetric',
  ): Promise<Linear> {
    const [out, inF] = weight.shape as [number, number];
    const w = await weight.data();
    const rows = qscheme === 'perChannelSymmetric' ? out : 1;
    const per = (out * inF) / rows;
    const q = new Int8Array(out * inF);
    const scales = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      let min = Infinity;
      let max = -Infinity;
      for (let i = r * per; i < (r + 1) * per; i++) {
        min = Math.min(min, w[i]!);
        max = Math.max(max, w[i]!);
      }
      scales[r] = symmetricScale(min, max);
      const inverse = Math.fround(1 / scales[r]!);
      for (let i = r * per; i < (r + 1) * per; i++) q[i] = quantizeValue(w[i]!, inverse, 0, -128, 127);
    }
    const cpuBias = bias ? fromHost(Float32Array.from(await bias.data()), [out]) : null;
    return new Linear(fromHost(q, [out, inF], { dtype: 'int8' }), fromHost(scales, [rows]), cpuBias, qscheme);
  }

  /** The dequantized weight s·q as float32 (PyTorch's weight() returns it quantized; dequantize() gives this). */
  weight(): Tensor {
    const scale = this.scales.reshape(this.qscheme === 'perChannelSymmetric' ? [this.outFeatures, 1] : [1, 1]);
    return this.qweight.to('float32').mul(scale);
  }

  override forward(input: Tensor): Tensor {
    if (!isFloatingPoint(input.dtype))
      throw new TypeError(`quantized Linear expects a float input, got ${input.dtype}`);
    const K = this.inFeatures;
    const N = this.outFeatures;
    if (input.ndim === 0 || input.shape[input.ndim - 1] !== K) {
      throw new RangeError(`mat1 and mat2 shapes cannot be multiplied (${formatShape(input.shape)} and ${K}x${N})`);
    }
    assertCpu(input, 'the input');
    // A contiguous input is read in place (the CPU buffer's own array); other layouts are copied once.
    const flat = input.contiguous();
    const x = (flat.storage.buffer as CpuBuffer).data;
    const M = flat.numel() / K;
    const ws = cpuValues(this.scales, 'the weight scales');
    const b = this.bias ? cpuValues(this.bias, 'the bias') : null;
    const out = quantizedLinear(x, flat.offset, M, activationQParams, this.packed(), ws, b);
    return fromHost(out, [...input.shape.slice(0, -1), N]);
  }

  private packed(): PackedInt8Weight {
    let packed = packedWeights.get(this.qweight);
    if (!packed) {
      const q = Int8Array.from(cpuValues(this.qweight, 'the int8 weight'));
      packed = packInt8Weight(q, this.outFeatures, this.inFeatures);
      packedWeights.set(this.qweight, packed);
    }
    return packed;
  }

  override extraRepr(): string {
    const scheme = this.qscheme === 'perChannelSymmetric' ? 'per_channel_symmetric' : 'per_tensor_symmetric';
    return `in_features=${this.inFeatures}, out_features=${this.outFeatures}, dtype=torch.qint8, qscheme=torch.${scheme}`;
  }
}
