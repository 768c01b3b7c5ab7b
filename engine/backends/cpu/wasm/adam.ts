/**
 * The Adam step as WebAssembly SIMD loops.
 *
 * float32: PyTorch 1.13's single-tensor Adam/AdamW, four elements per iteration, with every
 * float32 rounding PyTorch's CPU kernels make (see ../optim.ts: the JavaScript twin, and the
 * sequence). f32x4 mul, div, sqrt and add are correctly rounded, so they give PyTorch's bits
 * directly. Its fused multiply-adds (add_ with alpha, addcmul_, and add for L2 decay) are
 * f32x4.relaxed_madd where that is one rounding on this machine (fusedMaddRoundsOnce: V8 emits
 * vfmadd on CPUs with FMA3), else emulated exactly in f64x2 lanes (fma32 below), the same bits
 * either way. The one-rounding-per-op sequence in float32 lanes replaced a double-precision loop two
 * lanes wide whose sqrt and two divisions per pair bound it.
 *
 * float64: the plain step (no weight decay, amsgrad or maximize) in f64x2 lanes, the same
 * double-precision operations in the same order as the JavaScript loop in ../optim.ts.
 *
 * The operands are copied into the module's memory and back (TypedArray.set, a memcpy), a block at a
 * time; a float32 parameter's state (exp_avg, exp_avg_sq, max_exp_avg_sq) instead moves into a
 * kernel instance's memory of its own on its first step and stays there (see residentFor), so only
 * the parameter and its gradient are copied.
 */
import type { HostArray } from '../../../dtype.ts';
import { FunctionBuilder, moduleBytes } from './emit.ts';
import { compiled, growTo, instantiate, validatesRelaxedSimd, type WasmMemory } from './instance.ts';

/** The options compiled into a float32 kernel. */
export interface Float32Variant {
  decay: 'none' | 'l2' | 'decoupled';
  amsgrad: boolean;
  maximize: boolean;
}

/** Byte offsets of the float32 kernel's constants: f32 first, then the two f64 the emulated fma32s multiply by. */
const F32_CONSTS = { b1: 0, a1: 4, b2: 8, a2: 12, bc: 16, eps: 20, ss: 24, wd: 28, a1d: 32, wdd: 40 } as const;

/** The sixteen bytes of two i64 lanes of 1, and of 2^28 − 1. */
const I64X2_ONE = [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0];
const I64X2_LOW28 = [0xff, 0xff, 0xff, 0x0f, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0, 0];

/**
 * step(consts, p, g, m, v, x, quads): byte addresses of the constants (F32_CONSTS) and of the
 * arrays (x: max_exp_avg_sq, amsgrad only), then the number of four-element groups. Per element,
 * each line one PyTorch op, each result rounded to float32:
 *
 *   g ← −g (maximize);  p ← p·(1 − lr·λ) (decoupled);  g ← fma(p, λ, g) (L2: grad.add(p, alpha=λ))
 *   m ← fma(g, 1 − β1, m·β1)                     exp_avg.mul_(β1).add_(g, alpha=1 − β1)
 *   v ← fma((1 − β2)·g, g, v·β2)                 exp_avg_sq.mul_(β2).addcmul_(g, g, value=1 − β2)
 *   x ← max(x, v) (amsgrad)                      torch.maximum(max_exp_avg_sq, exp_avg_sq, out=…)
 *   d ← √(v or x) / √(1 − β2^t) + eps            (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
 *   p ← p + (−stepSize·m) / d                    param.addcdiv_(exp_avg, denom, value=−stepSize)
 */
// prettier-ignore
function float32ModuleBytes(o: Float32Variant, fused: boolean): Uint8Array {
  const f = new FunctionBuilder(['consts', 'p', 'g', 'm', 'v', 'x', 'quads']);
  f.local('pEnd', 'i32');
  const vectors = ['b1', 'a1', 'b2', 'a2', 'bc', 'eps', 'ss', 'wd', 'a1d', 'wdd', 'one', 'zero',
    'low28', 'bad', 'gi', 'pi', 'mi', 'vi', 'ai', 'lo', 'hi', 'a', 'c', 'pr', 's', 'bb', 'e'];
  for (const name of vectors) f.local(name, 'v128');
  for (const name of ['b1', 'a1', 'b2', 'a2', 'bc', 'eps', 'ss', 'wd'] as const) {
    f.get('consts').v128Load32Splat(F32_CONSTS[name]).set(name);
  }
  f.get('consts').v128Load64Splat(F32_CONSTS.a1d).set('a1d');
  f.get('consts').v128Load64Splat(F32_CONSTS.wdd).set('wdd');
  f.v128Const(I64X2_ONE).set('one');
  f.v128Zero().set('zero');
  f.v128Const(I64X2_LOW28).set('low28');
  f.get('p').get('quads').i32Const(16).i32Mul().i32Add().set('pEnd');

  /**
   * fma(x, y, z) of four float32 lanes, correctly rounded, into `out`. Per pair of lanes in f64:
   * x·y is exact (48 bits) and the sum s = x·y + z is rounded once. Rounding s to float32 is then
   * right unless s is a float32 halfway point that the f64 rounding reached from one side (it would
   * round to even, maybe the wrong way): `exact` false flags in `bad` every lane whose s has 28 zero
   * low bits, as every halfway point has (and exact float32 values: g = 0, say); `exact` true finds
   * the sum's error e (TwoSum) and, where e ≠ 0 and s is even, moves s one ulp toward the exact sum,
   * which makes s the sum rounded to odd, whose float32 rounding is correct (Boldo and Melquiond).
   * `y64`: y as two f64 lanes (a constant). With `fused`, one relaxed_madd.
   */
  const fma32 = (x: string, y: string, z: string, out: string, exact: boolean, y64?: string): void => {
    if (fused) {
      f.get(x).get(y).get(z).f32x4RelaxedMadd().set(out);
      return;
    }
    for (const half of ['lo', 'hi'] as const) {
      const promote = (name: string): void => {
        f.get(name);
        if (half === 'hi') f.get(name).i32x4Shuffle([2, 3, 2, 3]);
        f.f64x2PromoteLow();
      };
      promote(x);
      if (y64) f.get(y64);
      else promote(y);
      f.f64x2Mul().set('pr');
      promote(z);
      f.set('c');
      f.get('pr').get('c').f64x2Add().set('s');
      if (exact) {
        f.get('s').get('pr').f64x2Sub().set('bb');
        f.get('pr').get('s').get('bb').f64x2Sub().f64x2Sub();
        f.get('c').get('bb').f64x2Sub().f64x2Add().set('e');
        // s + (±1 toward e) where e ≠ 0 (not NaN: an infinite sum stays) and s's last bit is 0.
        f.get('s');
        f.get('e').get('s').v128Xor().i32Const(63).i64x2ShrS().get('one').v128Or();
        f.get('e').f64x2Abs().get('zero').f64x2Gt().v128And();
        f.get('s').get('one').v128And().get('one').i64x2Sub().v128And();
        f.i64x2Add().set('s');
      } else {
        f.get('bad').get('s').get('low28').v128And().get('zero').i64x2Eq().v128Or().set('bad');
      }
      f.get('s').f32x4DemoteZero().set(half);
    }
    f.get('lo').get('hi').i32x4Shuffle([0, 1, 4, 5]).set(out);
  };

  /** gi, pi, mi and vi from the arrays. */
  const update = (exact: boolean): void => {
    f.get('g').v128Load().set('gi');
    if (o.maximize) f.get('gi').simdOp('neg').set('gi');
    f.get('p').v128Load().set('pi');
    if (o.decay === 'decoupled') f.get('pi').get('wd').f32x4Mul().set('pi');
    if (o.decay === 'l2') fma32('pi', 'wd', 'gi', 'gi', exact, 'wdd');
    f.get('m').v128Load().get('b1').f32x4Mul().set('a');
    fma32('gi', 'a1', 'a', 'mi', exact, 'a1d');
    f.get('v').v128Load().get('b2').f32x4Mul().set('a');
    f.get('a2').get('gi').f32x4Mul().set('ai');
    fma32('ai', 'gi', 'a', 'vi', exact);
  };

  f.loop((body) => {
    body.v128Zero().set('bad');
    update(false);
    if (!fused) body.get('bad').v128AnyTrue().ifThen(() => update(true));
    body.get('m').get('mi').v128Store();
    body.get('v').get('vi').v128Store();
    if (o.amsgrad) {
      body.get('x').get('x').v128Load().get('vi').f32x4Max().tee('vi').v128Store();
      body.addTo('x', 16);
    }
    body.get('p').get('pi');
    body.get('ss').get('mi').f32x4Mul();
    body.get('vi').simdOp('sqrt').get('bc').simdOp('div').get('eps').f32x4Add();
    body.simdOp('div').f32x4Add().v128Store();
    for (const name of ['p', 'g', 'm', 'v']) body.addTo(name, 16);
    body.get('p').get('pEnd').i32Ne().brIf(0);
  });
  return moduleBytes('step', f, 'memory');
}

let fusedMadd: boolean | undefined;

/**
 * Whether f32x4.relaxed_madd validates and computes a·b + c with one rounding on this machine (a
 * fused multiply-add), tried once: on 24929 · 673·2⁻²⁴ + 2⁻⁸⁰, whose product 1 + 2⁻²⁴ is halfway
 * between two float32 values, one rounding gives 1 + 2⁻²³, a multiply and an add give 1.
 */
export function fusedMaddRoundsOnce(): boolean {
  if (fusedMadd !== undefined) return fusedMadd;
  const f = new FunctionBuilder(['at']);
  f.get('at').get('at').v128Load32Splat(0).get('at').v128Load32Splat(4).get('at').v128Load32Splat(8);
  f.f32x4RelaxedMadd().v128Store(16);
  const bytes = moduleBytes('probe', f, 'memory');
  const module = validatesRelaxedSimd(bytes) ? instantiate(bytes) : null;
  if (module === null) return (fusedMadd = false);
  const heap = new Float32Array(module.memory.buffer, 0, 8);
  heap.set([24929, 673 * 2 ** -24, 2 ** -80]);
  (module.exports.probe as (at: number) => void)(0);
  return (fusedMadd = heap.subarray(4, 8).every((x) => x === 1 + 2 ** -23));
}

/**
 * step(consts, p, g, m, v, pairs) of float64 arrays: byte addresses of six f64 constants (1 − β1,
 * β2, 1 − β2, −stepSize, √(1 − β2^t), eps) and of the four arrays, then the number of element
 * pairs. Per pair:
 *
 *   mi = m + (1 − β1)·(g − m);  vi = v·β2 + (1 − β2)·(g·g)
 *   m ← mi;  v ← vi;  p ← p + (−stepSize)·(mi / (√vi / √(1 − β2^t) + eps))
 */
// prettier-ignore
function float64ModuleBytes(): Uint8Array {
  const f = new FunctionBuilder(['consts', 'p', 'g', 'm', 'v', 'pairs']);
  f.local('pEnd', 'i32');
  for (const name of ['a1', 'b2', 'a2', 'nss', 'bc', 'eps', 'gi', 'mi', 'vi']) f.local(name, 'v128');
  ['a1', 'b2', 'a2', 'nss', 'bc', 'eps'].forEach((name, i) => f.get('consts').v128Load64Splat(8 * i).set(name));
  f.get('p').get('pairs').i32Const(16).i32Mul().i32Add().set('pEnd');
  f.loop((body) => {
    body.get('g').v128Load().set('gi');
    // mi = m + a1·(g − m)
    body.get('m').v128Load().get('a1').get('gi').get('m').v128Load();
    body.f64x2Sub().f64x2Mul().f64x2Add().set('mi');
    // vi = v·b2 + a2·(g·g)
    body.get('v').v128Load().get('b2').f64x2Mul().get('a2').get('gi').get('gi').f64x2Mul().f64x2Mul().f64x2Add().set('vi');
    body.get('m').get('mi').v128Store();
    body.get('v').get('vi').v128Store();
    // p = p + nss·(mi / (√vi / bc + eps))
    body.get('p').get('p').v128Load();
    body.get('nss').get('mi').get('vi').f64x2Sqrt().get('bc').f64x2Div().get('eps').f64x2Add();
    body.f64x2Div().f64x2Mul().f64x2Add().v128Store();
    for (const name of ['p', 'g', 'm', 'v']) body.addTo(name, 16);
    body.get('p').get('pEnd').i32Ne().brIf(0);
  });
  return moduleBytes('step', f, 'memory');
}

/**
 * Elements staged at a time: the blocks (64 KiB each in float32) stay in L2 from the copy in through
 * the step to the copy out, where whole arrays (1.6 MB for the MNIST MLP's first layer) went out to
 * L3 and back between the three passes. Same operations per element, so the results are the same.
 */
const CHUNK_ELEMENTS = 16384;

/** Each array gets a whole number of 16-byte blocks, so a ragged chunk's last group reads and writes only its padding. */
const SPAN = CHUNK_ELEMENTS * 8;
/** Bytes before the arrays: the constants. */
const HEADER = 64;
/** p, g, m, v and amsgrad's max_exp_avg_sq. */
const ARRAYS = 5;

/**
 * The module's memory laid out for a whole chunk (constants, then p, g, m, v, x 16-byte aligned),
 * with the views the copies use, kept while the memory's buffer stays the same: a step made
 * seven subarrays per chunk, ~190 objects a step of the MNIST MLP for the collector.
 */
interface Staging {
  buffer: ArrayBuffer;
  heap: HostArray;
  /** The header, as float32 and float64 constants. */
  f32: Float32Array;
  f64: Float64Array;
  /** Element offsets of p, g, m, v, x. */
  at: number[];
  /** A whole chunk of p, m, v and x, copied out through these. */
  out: HostArray[];
}

interface Kernel {
  step: (...args: number[]) => void;
  memory: WasmMemory;
  bytes: 4 | 8;
  staging?: Staging;
}

const kernels = new Map<string, Kernel | null>();

function load(key: string, bytes: 4 | 8, make: () => Uint8Array): Kernel | null {
  const cached = kernels.get(key);
  if (cached !== undefined) return cached;
  const module = instantiate(make());
  const kernel = module && { step: module.exports.step as Kernel['step'], memory: module.memory, bytes };
  kernels.set(key, kernel);
  return kernel;
}

function staging(k: Kernel): Staging {
  growTo(k.memory, HEADER + ARRAYS * SPAN);
  const buffer = k.memory.buffer;
  if (k.staging?.buffer === buffer) return k.staging;
  const heap = k.bytes === 4 ? new Float32Array(buffer) : new Float64Array(buffer);
  const at = Array.from({ length: ARRAYS }, (_, i) => (HEADER + i * SPAN) / k.bytes);
  const out = [0, 2, 3, 4].map((i) => heap.subarray(at[i]!, at[i]! + CHUNK_ELEMENTS));
  const f32 = new Float32Array(buffer, 0, HEADER / 4);
  const f64 = new Float64Array(buffer, 0, HEADER / 8);
  return (k.staging = { buffer, heap, f32, f64, at, out });
}

/** src[o … o + n) into heap at `at`, through a subarray only where src is not exactly those elements. */
function copyIn(heap: HostArray, at: number, src: HostArray, o: number, n: number): void {
  heap.set(o === 0 && n === src.length ? src : src.subarray(o, o + n), at);
}

/** An operand array and the element offset where the parameter's elements start in it. */
export type Operand = readonly [HostArray, number];

/**
 * Stages each chunk of the operands (p, g, m, v and x where given), runs `run(elements)` over it, and
 * copies p, m, v, x back.
 */
function chunked(k: Kernel, n: number, ops: readonly (Operand | null)[], run: (e: number) => void): void {
  const { heap, at, out } = staging(k);
  const back = [0, 2, 3, 4];
  for (let i = 0; i < n; i += CHUNK_ELEMENTS) {
    const e = Math.min(CHUNK_ELEMENTS, n - i);
    ops.forEach((op, j) => op && copyIn(heap, at[j]!, op[0], op[1] + i, e));
    run(e);
    back.forEach((j, b) => {
      const op = ops[j];
      if (op) op[0].set(e === CHUNK_ELEMENTS ? out[b]! : heap.subarray(at[j]!, at[j]! + e), op[1] + i);
    });
  }
}

/** The float32 constants, as ../optim.ts rounds them: each scalar PyTorch passes to a float32 kernel. */
export interface Float32Constants {
  b1: number;
  a1: number;
  b2: number;
  a2: number;
  bc: number;
  eps: number;
  ss: number;
  /** λ for L2 decay, 1 − lr·λ for decoupled. */
  wd: number;
}

/** Set by tests: the emulated multiply-adds even where relaxed_madd rounds once. */
let emulate = false;

/** Tests: run the kernels with emulated multiply-adds (true), or as the machine allows (false). */
export function emulateFusedMadd(on: boolean): void {
  emulate = on;
}

/** A CPU buffer whose array the step may replace by a view of the same values elsewhere. */
export interface Movable {
  data: HostArray;
}

/**
 * A parameter's state living in a kernel instance's memory: that memory grows once, when made, to
 * hold the constants, a chunk of p and of g, and the whole state; the state buffers' arrays are
 * views of it from then on, which a later growth would detach, so it never grows again.
 */
interface Resident {
  key: string;
  step: Kernel['step'];
  heap: Float32Array;
  f32: Float32Array;
  f64: Float64Array;
  /** Elements of p and g staged at a time. */
  span: number;
  /** Byte addresses of the p and g chunks and of m, v, x. */
  at: { p: number; g: number; m: number; v: number; x: number };
  /** A whole chunk of p, copied out through this. */
  pOut: Float32Array;
  /** The views the state buffers hold. */
  state: Float32Array[];
}

/** By the first state buffer's array (the view): dropped with the state. */
const residents = new WeakMap<HostArray, Resident>();
const instantiators = new Map<string, ReturnType<typeof compiled>>();

/** Byte length of n float32 rounded up to whole 16-byte groups (the kernel's ragged last group). */
const blocks = (n: number): number => Math.ceil(n / 4) * 16;

/**
 * The Resident holding `state` (m, v and x with amsgrad: whole float32 buffers of n elements) for
 * the kernel `key`, moving their arrays into a new instance's memory where they are not there yet
 * (first step, state loaded or replaced, another variant); null where the kernel cannot run.
 */
function residentFor(key: string, make: () => Uint8Array, state: readonly Movable[], n: number): Resident | null {
  const found = residents.get(state[0]!.data);
  if (found?.key === key && found.state.length === state.length && found.state.every((v, i) => v === state[i]!.data)) {
    return found;
  }
  let instantiate = instantiators.get(key);
  if (instantiate === undefined) instantiators.set(key, (instantiate = compiled(make())));
  const instance = instantiate?.();
  if (!instance) return null;
  const span = Math.min(n, CHUNK_ELEMENTS);
  const p = HEADER;
  const g = p + blocks(span);
  const m = g + blocks(span);
  const at = { p, g, m, v: m + blocks(n), x: state.length > 2 ? m + 2 * blocks(n) : 0 };
  growTo(instance.memory, m + state.length * blocks(n));
  const buffer = instance.memory.buffer;
  const heap = new Float32Array(buffer);
  const views = state.map((b, i) => {
    const view = new Float32Array(buffer, m + i * blocks(n), n);
    view.set(b.data);
    b.data = view;
    return view;
  });
  const resident: Resident = {
    key,
    step: instance.exports.step as Kernel['step'],
    heap,
    f32: new Float32Array(buffer, 0, HEADER / 4),
    f64: new Float64Array(buffer, 0, HEADER / 8),
    span,
    at,
    pOut: heap.subarray(p / 4, p / 4 + span),
    state: views,
  };
  residents.set(views[0]!, resident);
  return resident;
}

/** The constants into a kernel's header. */
function float32Header(f32: Float32Array, f64: Float64Array, c: Float32Constants): void {
  for (const name of ['b1', 'a1', 'b2', 'a2', 'bc', 'eps', 'ss', 'wd'] as const) f32[F32_CONSTS[name] / 4] = c[name];
  f64[F32_CONSTS.a1d / 8] = c.a1;
  f64[F32_CONSTS.wdd / 8] = c.wd;
}

/**
 * The float32 step over n elements of p, g, m, v (and x with amsgrad); false (nothing done) where
 * WebAssembly SIMD is unavailable, so the caller runs its JavaScript loop. With `state` (the
 * buffers of m, v and x, whole float32 buffers of n elements), their arrays move into the kernel's
 * memory (see residentFor) and only p and g are copied each step.
 */
export function wasmAdamStepFloat32(
  ops: readonly [Operand, Operand, Operand, Operand, Operand | null],
  n: number,
  c: Float32Constants,
  o: Float32Variant,
  state?: readonly Movable[],
): boolean {
  const fused = !emulate && fusedMaddRoundsOnce();
  const key = `f32 ${o.decay} ${o.amsgrad} ${o.maximize} ${fused}`;
  const make = (): Uint8Array => float32ModuleBytes(o, fused);
  if (n === 0) return load(key, 4, make) !== null;
  const r = state && residentFor(key, make, state, n);
  if (r) {
    float32Header(r.f32, r.f64, c);
    const [[p, po], [g, go]] = ops;
    const { heap, at, span } = r;
    for (let i = 0; i < n; i += span) {
      const e = Math.min(span, n - i);
      copyIn(heap, at.p / 4, p, po + i, e);
      copyIn(heap, at.g / 4, g, go + i, e);
      r.step(0, at.p, at.g, at.m + 4 * i, at.v + 4 * i, at.x + 4 * i, Math.ceil(e / 4));
      p.set(e === span ? r.pOut : heap.subarray(at.p / 4, at.p / 4 + e), po + i);
    }
    return true;
  }
  const k = load(key, 4, make);
  if (k === null) return false;
  const { f32, f64 } = staging(k);
  float32Header(f32, f64, c);
  const x = HEADER + 4 * SPAN;
  chunked(k, n, ops, (e) =>
    k.step(0, HEADER, HEADER + SPAN, HEADER + 2 * SPAN, HEADER + 3 * SPAN, x, Math.ceil(e / 4)),
  );
  return true;
}

export interface Float64Constants {
  beta1: number;
  beta2: number;
  eps: number;
  stepSize: number;
  bc2Sqrt: number;
}

/** The plain float64 step over n elements; false (nothing done) where WebAssembly SIMD is unavailable. */
export function wasmAdamStepFloat64(
  ops: readonly [Operand, Operand, Operand, Operand],
  n: number,
  c: Float64Constants,
): boolean {
  const k = load('f64', 8, float64ModuleBytes);
  if (k === null || n === 0) return k !== null;
  const { f64 } = staging(k);
  f64.set([1 - c.beta1, c.beta2, 1 - c.beta2, -c.stepSize, c.bc2Sqrt, c.eps]);
  chunked(k, n, ops, (e) => k.step(0, HEADER, HEADER + SPAN, HEADER + 2 * SPAN, HEADER + 3 * SPAN, Math.ceil(e / 2)));
  return true;
}
