/**
 * The fused Adam step: the whole update of PyTorch's single-tensor Adam, in the same order of
 * operations, in one pass over the parameter instead of a pass and a temporary array per op.
 *
 * float32 gives PyTorch 1.13's bits: each op of its update rounded to float32 as its CPU kernels
 * round it, the two whose kernels compile to a fused multiply-add (add_ with alpha, addcmul_) as
 * one rounding (see wasm/adam.ts for the sequence). float64 and the 2-byte floats compute each
 * composed op in double precision and round once per stored value.
 */
import type { AdamStepParams, View } from '../../backend/types.ts';
import { storeRounding } from '../../dtype.ts';
import { cpuData, type CpuBuffer } from './buffer.ts';
import {
  wasmAdamStepFloat32,
  wasmAdamStepFloat64,
  type Float32Constants,
  type Float32Variant,
  type Movable,
  type Operand,
} from './wasm/adam.ts';

/** Below this many elements the JavaScript loop beats the copies into and out of WebAssembly memory. */
const WASM_MIN_ELEMENTS = 64;

export function adamStep(
  param: View,
  grad: View,
  expAvg: View,
  expAvgSq: View,
  maxExpAvgSq: View | null,
  h: AdamStepParams,
): void {
  const n = param.shape.reduce((a, b) => a * b, 1);
  const operand = (view: View): Operand => [cpuData(view), view.offset];
  const ops = [operand(param), operand(grad), operand(expAvg), operand(expAvgSq)] as const;
  const x = maxExpAvgSq && operand(maxExpAvgSq);
  if (param.buffer.dtype === 'float32') {
    const { lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize, step } = h;
    const f = Math.fround;
    const c: Float32Constants = {
      b1: f(beta1),
      a1: f(1 - beta1),
      b2: f(beta2),
      a2: f(1 - beta2),
      bc: f(Math.sqrt(1 - beta2 ** step)),
      eps: f(eps),
      ss: f(-(lr / (1 - beta1 ** step))),
      wd: f(decoupledWeightDecay ? 1 - lr * weightDecay : weightDecay),
    };
    const o: Float32Variant = {
      decay: weightDecay === 0 ? 'none' : decoupledWeightDecay ? 'decoupled' : 'l2',
      amsgrad: x !== null,
      maximize,
    };
    const state = [expAvg, expAvgSq, ...(maxExpAvgSq ? [maxExpAvgSq] : [])];
    // State tensors of their own buffers (zerosLike's) move into the kernel's memory (wasm/adam.ts).
    const movable = state.every((s) => s.offset === 0 && s.buffer.length === n);
    const buffers = movable ? state.map((s) => s.buffer as CpuBuffer as Movable) : undefined;
    if (n < WASM_MIN_ELEMENTS || !wasmAdamStepFloat32([...ops, x], n, c, o, buffers)) float32Loop(ops, x, n, c, o);
    return;
  }
  adamStepDouble(param, ops, x, n, h);
}

/**
 * ±1 in the last bit of a float64 (its two 32-bit halves, little-endian), for fma32: a scratch
 * pair of views rather than a DataView or BigInt, which allocate.
 */
const scratch = new Float64Array(1);
const halves = new Uint32Array(scratch.buffer);

/**
 * x·y + z of float32 values with one rounding, as a fused multiply-add: x·y is exact in double
 * precision, the double sum s is made the sum rounded to odd (one ulp toward the exact sum where
 * TwoSum's error is nonzero and s is even), and that rounded to float32 is correctly rounded. The
 * double sum alone could round twice: onto a float32 halfway point, then to even the wrong way.
 */
export function fma32(x: number, y: number, z: number): number {
  const p = x * y;
  const s = p + z;
  const bb = s - p;
  const e = p - (s - bb) + (z - bb);
  if (!(e > 0 || e < 0)) return Math.fround(s);
  scratch[0] = s;
  const low = halves[0]!;
  if ((low & 1) === 0) {
    if (e > 0 === s > 0) {
      halves[0] = low + 1;
    } else if (low === 0) {
      halves[0] = 0xffffffff;
      halves[1] = halves[1]! - 1;
    } else {
      halves[0] = low - 1;
    }
  }
  return Math.fround(scratch[0]);
}

/** The float32 update, the WebAssembly kernel's twin op for op (see wasm/adam.ts for each line's PyTorch op). */
function float32Loop(
  ops: readonly [Operand, Operand, Operand, Operand],
  x: Operand | null,
  n: number,
  c: Float32Constants,
  o: Float32Variant,
): void {
  const f = Math.fround;
  const [[p, po], [g, go], [m, mo], [v, vo]] = ops;
  const [vmax, xo] = x ?? [null, 0];
  for (let i = 0; i < n; i++) {
    let gi = o.maximize ? -g[go + i]! : g[go + i]!;
    let pi = p[po + i]!;
    if (o.decay === 'decoupled') pi = f(pi * c.wd);
    else if (o.decay === 'l2') gi = fma32(pi, c.wd, gi);
    const mi = fma32(gi, c.a1, f(m[mo + i]! * c.b1));
    const vi = fma32(f(c.a2 * gi), gi, f(v[vo + i]! * c.b2));
    m[mo + i] = mi;
    v[vo + i] = vi;
    let second = vi;
    if (vmax) {
      second = Math.max(vmax[xo + i]!, vi);
      vmax[xo + i] = second;
    }
    const denom = f(f(f(Math.sqrt(second)) / c.bc) + c.eps);
    p[po + i] = f(pi + f(f(c.ss * mi) / denom));
  }
}

/** float64, float16 and bfloat16: each composed op in double precision, rounded to the dtype on store. */
function adamStepDouble(
  param: View,
  ops: readonly [Operand, Operand, Operand, Operand],
  x: Operand | null,
  n: number,
  h: AdamStepParams,
): void {
  const { lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize, step } = h;
  const c: Constants = {
    stepSize: lr / (1 - beta1 ** step),
    bc2Sqrt: Math.sqrt(1 - beta2 ** step),
    decay: 1 - lr * weightDecay,
    beta1,
    beta2,
    eps,
    weightDecay,
  };
  // 2-byte floats keep each stored value rounded, as the composed in-place ops would.
  const rounding = storeRounding(param.buffer.dtype);
  // The plain case (float64, no weight decay, no amsgrad, not maximising) gets a loop with no
  // per-element branches or calls, 1.5-2x faster in V8; a WebAssembly SIMD copy of it (bit-identical)
  // runs it several times faster still.
  if (rounding === null && weightDecay === 0 && !maximize && x === null) {
    if (n < WASM_MIN_ELEMENTS || !wasmAdamStepFloat64(ops, n, c)) plainLoop(ops, n, c);
    return;
  }
  const [[p, po], [g, go], [m, mo], [v, vo]] = ops;
  const [vmax, xo] = x ?? [null, 0];
  const r = rounding ?? ((x: number) => x);
  for (let i = 0; i < n; i++) {
    let gi = maximize ? -g[go + i]! : g[go + i]!;
    let pi = p[po + i]!;
    if (weightDecay !== 0) {
      if (decoupledWeightDecay) pi = r(pi * c.decay);
      else gi = r(gi + weightDecay * pi);
    }
    const mi = r(m[mo + i]! + (1 - beta1) * (gi - m[mo + i]!));
    const vi = r(v[vo + i]! * beta2 + (1 - beta2) * (gi * gi));
    m[mo + i] = mi;
    v[vo + i] = vi;
    let second = vi;
    if (vmax) {
      second = Math.max(vmax[xo + i]!, vi);
      vmax[xo + i] = second;
    }
    p[po + i] = r(pi + -c.stepSize * (mi / (Math.sqrt(second) / c.bc2Sqrt + c.eps)));
  }
}

interface Constants {
  stepSize: number;
  bc2Sqrt: number;
  decay: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** The general loop above with every option off: the same operations in the same order. */
function plainLoop(ops: readonly [Operand, Operand, Operand, Operand], n: number, c: Constants): void {
  const [[p, po], [g, go], [m, mo], [v, vo]] = ops;
  const { beta1, beta2, eps, stepSize, bc2Sqrt } = c;
  const a1 = 1 - beta1;
  const a2 = 1 - beta2;
  for (let i = 0; i < n; i++) {
    const gi = g[go + i]!;
    const m0 = m[mo + i]!;
    const mi = m0 + a1 * (gi - m0);
    const vi = v[vo + i]! * beta2 + a2 * (gi * gi);
    m[mo + i] = mi;
    v[vo + i] = vi;
    p[po + i] = p[po + i]! + -stepSize * (mi / (Math.sqrt(vi) / bc2Sqrt + eps));
  }
}
