/**
 * The plain Adam step (no weight decay, amsgrad or maximize) as a WebAssembly SIMD loop, two
 * elements per iteration in f64x2 lanes: the same double-precision operations in the same order
 * as the JavaScript loop in ../optim.ts, each result rounded to the parameter's dtype on store,
 * so the two are bit-identical. The JavaScript loop spends most of its time on float32↔float64
 * conversions, bounds checks and scalar sqrt/div; here those are one instruction per two lanes.
 *
 * The operands are copied into the module's memory and p, m, v copied back (TypedArray.set,
 * a memcpy), a block at a time: on the MNIST MLP's 100k parameters the copies and the loop
 * together take a fraction of the scalar loop's time.
 */
import type { HostArray } from '../../../dtype.ts';
import { FunctionBuilder, moduleBytes } from './emit.ts';
import { growTo, instantiate, type WasmMemory } from './instance.ts';

type Step = (consts: number, p: number, g: number, m: number, v: number, pairs: number) => void;

/** Element type of the operands: float32 (float16/bfloat16 keep the JavaScript loop) or float64. */
type Elements = 'f32' | 'f64';

/**
 * step(consts, p, g, m, v, pairs): byte addresses of six f64 constants (1 − β1, β2, 1 − β2,
 * −stepSize, √(1 − β2^t), eps) and of the four arrays, then the number of element pairs. Per pair:
 *
 *   mi = m + (1 − β1)·(g − m);  vi = v·β2 + (1 − β2)·(g·g)
 *   m ← mi;  v ← vi;  p ← p + (−stepSize)·(mi / (√vi / √(1 − β2^t) + eps))
 */
// prettier-ignore
function stepModuleBytes(elements: Elements): Uint8Array {
  const f = new FunctionBuilder(['consts', 'p', 'g', 'm', 'v', 'pairs']);
  for (const name of ['pEnd']) f.local(name, 'i32');
  for (const name of ['a1', 'b2', 'a2', 'nss', 'bc', 'eps', 'gi', 'mi', 'vi']) f.local(name, 'v128');
  const width = elements === 'f32' ? 8 : 16;
  const load = (name: string): void => {
    f.get(name);
    if (elements === 'f32') f.v128Load64Zero().f64x2PromoteLow();
    else f.v128Load();
  };
  /** Stores the value computed by `value` to [name]. */
  const store = (name: string, value: () => void): void => {
    f.get(name);
    value();
    if (elements === 'f32') f.f32x4DemoteZero().v128Store64Low();
    else f.v128Store();
  };
  ['a1', 'b2', 'a2', 'nss', 'bc', 'eps'].forEach((name, i) => f.get('consts').v128Load64Splat(8 * i).set(name));
  f.get('p').get('pairs').i32Const(width).i32Mul().i32Add().set('pEnd');
  f.loop((body) => {
    load('g');
    body.set('gi');
    // mi = m + a1·(g − m)
    load('m');
    body.get('a1').get('gi');
    load('m');
    body.f64x2Sub().f64x2Mul().f64x2Add().set('mi');
    // vi = v·b2 + a2·(g·g)
    load('v');
    body.get('b2').f64x2Mul().get('a2').get('gi').get('gi').f64x2Mul().f64x2Mul().f64x2Add().set('vi');
    store('m', () => body.get('mi'));
    store('v', () => body.get('vi'));
    // p = p + nss·(mi / (√vi / bc + eps))
    store('p', () => {
      load('p');
      body.get('nss').get('mi').get('vi').f64x2Sqrt().get('bc').f64x2Div().get('eps').f64x2Add();
      body.f64x2Div().f64x2Mul().f64x2Add();
    });
    for (const name of ['p', 'g', 'm', 'v']) body.addTo(name, width);
    body.get('p').get('pEnd').i32Ne().brIf(0);
  });
  return moduleBytes('step', f, 'memory');
}

/**
 * Elements staged at a time: the four blocks (64 KiB each in float32) stay in L2 from the copy in through the step
 * to the copy out, where whole arrays (1.6 MB for the MNIST MLP's first layer) went out to L3 and
 * back between the three passes. Same operations per element, so the results are the same.
 */
const CHUNK_ELEMENTS = 16384;

/**
 * The module's memory laid out for a whole chunk (six constants, then p, g, m, v 16-byte aligned),
 * with the views the copies use, kept while the memory's buffer stays the same: a step made
 * seven subarrays per chunk, ~190 objects a step of the MNIST MLP for the collector.
 */
interface Staging {
  buffer: ArrayBuffer;
  heap: HostArray;
  consts: Float64Array;
  /** Element offsets of p, g, m, v. */
  at: [number, number, number, number];
  /** A whole chunk of p, m and v, copied out through these. */
  out: [HostArray, HostArray, HostArray];
}

interface Kernel {
  step: Step;
  memory: WasmMemory;
  bytes: 4 | 8;
  staging?: Staging;
}

const kernels: Partial<Record<Elements, Kernel | null>> = {};

function load(elements: Elements): Kernel | null {
  const cached = kernels[elements];
  if (cached !== undefined) return cached;
  const module = instantiate(stepModuleBytes(elements));
  const bytes = elements === 'f32' ? 4 : 8;
  return (kernels[elements] = module && { step: module.exports.step as Step, memory: module.memory, bytes });
}

/** Each array gets a whole number of 16-byte blocks, so an odd chunk's last pair reads and writes only its padding. */
const SPAN = CHUNK_ELEMENTS * 8;

function staging(k: Kernel): Staging {
  growTo(k.memory, 64 + 4 * SPAN);
  const buffer = k.memory.buffer;
  if (k.staging?.buffer === buffer) return k.staging;
  const heap = k.bytes === 4 ? new Float32Array(buffer) : new Float64Array(buffer);
  const at = [0, 1, 2, 3].map((i) => (64 + i * SPAN) / k.bytes) as Staging['at'];
  const view = (o: number) => heap.subarray(o, o + CHUNK_ELEMENTS);
  const consts = new Float64Array(buffer, 0, 6);
  return (k.staging = { buffer, heap, consts, at, out: [view(at[0]), view(at[2]), view(at[3])] });
}

export interface AdamConstants {
  beta1: number;
  beta2: number;
  eps: number;
  stepSize: number;
  bc2Sqrt: number;
}

/** src[o … o + n) into heap at `at`, through a subarray only where src is not exactly those elements. */
function copyIn(heap: HostArray, at: number, src: HostArray, o: number, n: number): void {
  heap.set(o === 0 && n === src.length ? src : src.subarray(o, o + n), at);
}

/**
 * Runs the plain step over n elements of float32 or float64 arrays at the given offsets; false
 * (nothing done) where WebAssembly SIMD is unavailable, so the caller runs its JavaScript loop.
 */
// prettier-ignore
export function wasmAdamStep(
  p: HostArray, po: number, g: HostArray, go: number, m: HostArray, mo: number, v: HostArray, vo: number,
  n: number, c: AdamConstants,
): boolean {
  const k = load(p instanceof Float64Array ? 'f64' : 'f32');
  if (k === null || n === 0) return k !== null;
  const { heap, consts, at, out } = staging(k);
  const [p0, g0, m0, v0] = at;
  consts[0] = 1 - c.beta1;
  consts[1] = c.beta2;
  consts[2] = 1 - c.beta2;
  consts[3] = -c.stepSize;
  consts[4] = c.bc2Sqrt;
  consts[5] = c.eps;
  for (let i = 0; i < n; i += CHUNK_ELEMENTS) {
    const e = Math.min(CHUNK_ELEMENTS, n - i);
    copyIn(heap, p0, p, po + i, e);
    copyIn(heap, g0, g, go + i, e);
    copyIn(heap, m0, m, mo + i, e);
    copyIn(heap, v0, v, vo + i, e);
    k.step(0, 64, 64 + SPAN, 64 + 2 * SPAN, 64 + 3 * SPAN, Math.ceil(e / 2));
    const whole = e === CHUNK_ELEMENTS;
    p.set(whole ? out[0] : heap.subarray(p0, p0 + e), po + i);
    m.set(whole ? out[1] : heap.subarray(m0, m0 + e), mo + i);
    v.set(whole ? out[2] : heap.subarray(v0, v0 + e), vo + i);
  }
  return true;
}
