/**
 * Float32 elementwise ops as WebAssembly SIMD loops, four lanes at a time, for contiguous operands
 * (or a broadcast scalar). V8 runs a JavaScript loop over Float32Arrays with a float32→float64
 * conversion per load and back per store; these loops do one f32x4 instruction per four elements,
 * so even with the copies into and out of the module's memory they are several times faster.
 *
 * Results are bit-identical to the JavaScript kernels: +, −, ×, ÷ and √ of float32 values done in
 * float64 and rounded once to float32 give the correctly rounded float32 result (float64 carries
 * more than twice float32's precision), which is what f32x4 computes. ReLU keeps NaN and maps −0
 * to +0, as the JavaScript expression does.
 */
import { FunctionBuilder, moduleBytes } from './emit.ts';
import { growTo, instantiate, type WasmMemory } from './instance.ts';

export type SimdBinaryOp = 'add' | 'sub' | 'mul' | 'div';
export type SimdUnaryOp = 'neg' | 'abs' | 'sqrt' | 'relu';
type Op = SimdBinaryOp | SimdUnaryOp;

const BINARY: ReadonlySet<string> = new Set<SimdBinaryOp>(['add', 'sub', 'mul', 'div']);
const UNARY: ReadonlySet<string> = new Set<SimdUnaryOp>(['neg', 'abs', 'sqrt', 'relu']);

export function isSimdBinary(op: string): op is SimdBinaryOp {
  return BINARY.has(op);
}
export function isSimdUnary(op: string): op is SimdUnaryOp {
  return UNARY.has(op);
}

/** run(a, b, out, end, bStep): out[i] = op(a[i], b[i]) for out < end, 16 bytes a step; b advances bStep (0: a scalar splat). */
type Run = (a: number, b: number, out: number, end: number, bStep: number) => void;

function moduleFor(op: Op): Uint8Array {
  const f = new FunctionBuilder(['a', 'b', 'out', 'end', 'bStep']);
  f.local('y', 'v128');
  const binary = isSimdBinary(op);
  f.loop((body) => {
    body.get('out');
    if (binary) {
      body.get('a').v128Load().get('b').v128Load();
      body.simdOp(op);
    } else if (op === 'relu') {
      // x & (x > 0 | x ≠ x): keeps positives and NaN, zero otherwise (−0 included).
      body.get('a').v128Load().tee('y').get('y').v128Zero().f32x4Gt();
      body.get('y').get('y').f32x4Ne().v128Or().v128And();
    } else {
      body.get('a').v128Load().simdOp(op);
    }
    body.v128Store();
    body.addTo('a', 16).get('b').get('bStep').i32Add().set('b').addTo('out', 16);
    body.get('out').get('end').i32Ne().brIf(0);
  });
  return moduleBytes('run', f, 'memory');
}

interface Kernel {
  run: Run;
  memory: WasmMemory;
}

const kernels = new Map<Op, Kernel | null>();

function load(op: Op): Kernel | null {
  const cached = kernels.get(op);
  if (cached !== undefined) return cached;
  const module = instantiate(moduleFor(op));
  const kernel = module && { run: module.exports.run as Run, memory: module.memory };
  kernels.set(op, kernel);
  return kernel;
}

/**
 * out[oo …] = op(a[ao …], b[bo …]) over n elements (b: one value when bScalar); b is ignored for
 * a unary op. False (nothing done) where WebAssembly SIMD is unavailable.
 */
// prettier-ignore
export function wasmElementwise(
  op: Op, a: Float32Array, ao: number, b: Float32Array | null, bo: number, bScalar: boolean,
  out: Float32Array, oo: number, n: number,
): boolean {
  const k = load(op);
  if (k === null) return false;
  const span = Math.ceil(n / 4) * 16;
  const bSpan = b === null || bScalar ? 16 : span;
  growTo(k.memory, 2 * span + bSpan);
  const heap = new Float32Array(k.memory.buffer);
  const bBase = span;
  const oBase = span + bSpan;
  heap.set(a.subarray(ao, ao + n), 0);
  if (b !== null) {
    if (bScalar) heap.fill(b[bo]!, bBase / 4, bBase / 4 + 4);
    else heap.set(b.subarray(bo, bo + n), bBase / 4);
  }
  k.run(0, bBase, oBase, oBase + span, bScalar ? 0 : 16);
  out.set(heap.subarray(oBase / 4, oBase / 4 + n), oo);
  return true;
}
