/**
 * Every elementwise op (unary, binary, where) from one table of WGSL expressions and one generator.
 * Operands are strided views: each invocation turns its linear index into one offset per operand,
 * so transposed, sliced and broadcast (stride-0) operands are read in place, never copied.
 */
import type { BinaryOp, UnaryOp, View } from '../../../backend/types.ts';
import { promoteTypes } from '../../../dtype.ts';
import type { ComputeType } from '../dtypes.ts';
import { arithType, convert, storageType } from '../dtypes.ts';
import type { KernelCall } from '../kernel.ts';
import { operands } from '../kernel.ts';
import { coalesce, numel } from '../strided.ts';
import { IS_NAN, linearLoop, loopGrid, p, prelude, walk } from './wgsl.ts';

/** An op's WGSL: operands arrive converted to `operand`, the expression has type `result`. */
export interface OpRule {
  readonly operand: ComputeType;
  readonly result: ComputeType;
  readonly expr: (args: readonly string[]) => string;
  /** WGSL functions the expression calls. */
  readonly helpers?: string;
  /** Statements before the store, per element (a fused chain's steps as `let`s the expression reads). */
  readonly lets?: (args: readonly string[]) => string;
}

/**
 * pow with PyTorch's meaning for negative bases and integral exponents (WGSL's pow is undefined for
 * x < 0). Integral exponents multiply by squaring, so small integer powers are exact as on the CPU
 * (3² is 9, not exp2(2·log2 3) = 9.0000005), and so is a backward's n·x^(n−1).
 */
const POW = `fn pow_f(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (floor(b) == b && abs(b) < 16777216.0) {
    var e = u32(abs(b));
    var base = a;
    var r = 1.0;
    loop {
      if ((e & 1u) == 1u) { r = r * base; }
      e = e >> 1u;
      if (e == 0u) { break; }
      base = base * base;
    }
    return select(r, 1.0 / r, b < 0.0);
  }
  let m = pow(abs(a), b);
  // Integral exponents this large are even.
  if (a >= 0.0 || floor(b) == b) { return m; }
  // sqrt of the (negative) base is a NaN made at run time; a NaN constant is a WGSL compile error.
  return sqrt(a);
}`;

/** Integer pow as the CPU stores it: 0 to a negative power (±inf) and NaN become 0, as in an Int32Array. */
const POW_I = `fn pow_i(a: i32, b: i32) -> i32 {
  let r = pow_f(f32(a), f32(b));
  if (is_nan(r) || abs(r) > 3.0e38) { return 0; }
  return i32(round(r));
}`;

/** Float functions applied to integers go through f32, as the CPU backend computes them in doubles. */
function floatFn(t: ComputeType, f: (x: string) => string): (args: readonly string[]) => string {
  return ([x]) => (t === 'i32' ? `i32(${f(`f32(${x})`)})` : f(x!));
}

export function unaryRule(op: UnaryOp, t: 'f32' | 'i32'): OpRule {
  const same = (expr: (args: readonly string[]) => string, helpers?: string): OpRule => ({
    operand: t,
    result: t,
    expr,
    ...(helpers ? { helpers } : {}),
  });
  const int = t === 'i32';
  switch (op) {
    case 'identity':
      return same(([x]) => x!);
    case 'neg':
      return same(([x]) => `-(${x})`);
    case 'abs':
      return same(([x]) => `abs(${x})`);
    // NaN stays NaN, as on the CPU: WGSL's sign and max may drop it (max(NaN, 0) is 0 on lavapipe).
    case 'sign':
      return int ? same(([x]) => `sign(${x})`) : same(([x]) => `select(sign(${x}), ${x}, is_nan(${x}))`, IS_NAN);
    case 'relu':
      return int ? same(([x]) => `max(${x}, 0)`) : same(([x]) => `select(max(${x}, 0.0), ${x}, is_nan(${x}))`, IS_NAN);
    case 'floor':
    case 'ceil':
    case 'round':
      return same(int ? ([x]) => x! : ([x]) => `${op}(${x})`);
    case 'exp':
    case 'log':
    case 'sqrt':
    case 'sin':
    case 'cos':
    case 'atan':
      return same(floatFn(t, (x) => `${op}(${x})`));
    case 'rsqrt':
      return same(floatFn(t, (x) => `inverseSqrt(${x})`));
    case 'reciprocal':
      return same(floatFn(t, (x) => `(1.0 / ${x})`));
    // Clamped because tanh's exp-based form overflows to NaN for large |x|; tanh(15) is 1 in f32.
    case 'tanh':
      return same(floatFn(t, (x) => `tanh(clamp(${x}, -15.0, 15.0))`));
    case 'sigmoid':
      return same(floatFn(t, (x) => `(1.0 / (1.0 + exp(-(${x}))))`));
    case 'not':
      return { operand: 'bool', result: 'bool', expr: ([x]) => `!(${x})` };
    case 'isnan':
      return int
        ? { operand: t, result: 'bool', expr: () => 'false' }
        : { operand: t, result: 'bool', expr: ([x]) => `is_nan(${x})`, helpers: IS_NAN };
  }
}

const COMPARE: Partial<Record<BinaryOp, string>> = { eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=' };
const ARITH: Partial<Record<BinaryOp, string>> = { add: '+', sub: '-', mul: '*', div: '/' };

export function binaryRule(op: BinaryOp, t: 'f32' | 'i32', operands: 'f32' | 'i32'): OpRule {
  const compare = COMPARE[op];
  if (compare && operands === 'i32')
    return { operand: operands, result: 'bool', expr: ([a, b]) => `(${a} ${compare} ${b})` };
  // WGSL lets the compiler assume no NaNs, and lavapipe's does (NaN != 0 came out false): a NaN
  // operand is tested on its bits, so only ne is true for it, as IEEE comparisons and PyTorch's are.
  if (compare) {
    const nan = ([a, b]: readonly string[]) => `(is_nan(${a}) || is_nan(${b}))`;
    return {
      operand: operands,
      result: 'bool',
      expr: (x) =>
        op === 'ne' ? `((${x[0]} != ${x[1]}) || ${nan(x)})` : `((${x[0]} ${compare} ${x[1]}) && !${nan(x)})`,
      helpers: IS_NAN,
    };
  }
  const arith = ARITH[op];
  if (arith) return { operand: t, result: t, expr: ([a, b]) => `(${a} ${arith} ${b})` };
  switch (op) {
    case 'pow':
      return t === 'f32'
        ? { operand: t, result: t, expr: ([a, b]) => `pow_f(${a}, ${b})`, helpers: POW }
        : { operand: t, result: t, expr: ([a, b]) => `pow_i(${a}, ${b})`, helpers: `${POW}\n${IS_NAN}\n${POW_I}` };
    case 'maximum':
    case 'minimum': {
      const fn = op === 'maximum' ? 'max' : 'min';
      // NaN propagates, as torch.maximum does (WGSL max would drop it).
      if (t === 'i32') return { operand: t, result: t, expr: ([a, b]) => `${fn}(${a}, ${b})` };
      return {
        operand: t,
        result: t,
        expr: ([a, b]) => `select(select(${fn}(${a}, ${b}), ${b}, is_nan(${b})), ${a}, is_nan(${a}))`,
        helpers: IS_NAN,
      };
    }
    case 'and':
      return { operand: 'bool', result: 'bool', expr: ([a, b]) => `(${a} && ${b})` };
    case 'or':
      return { operand: 'bool', result: 'bool', expr: ([a, b]) => `(${a} || ${b})` };
    default:
      throw new Error(`webgpu: binary op '${op}' has no kernel`);
  }
}

/** Buffer names: the output, then the inputs (WebGPU's default limit is 8 storage buffers per stage). */
const NAMES = ['O', 'A', 'B', 'C', 'D', 'E', 'F', 'G'];

export function elementwise(name: string, rule: OpRule, inputs: readonly View[], out: View): KernelCall | null {
  const n = numel(out.shape);
  if (n === 0) return null;
  const views = [out, ...inputs];
  const { shape, strides } = coalesce(
    out.shape,
    views.map((v) => v.strides),
  );
  const rank = shape.length;
  // Parameters: numel, shape[rank], then per operand (out first): offset, strides[rank].
  const params = [n, ...shape];
  views.forEach((v, k) => params.push(v.offset, ...strides[k]!));
  const ops = operands(NAMES, views);
  const types = views.map((v) => v.buffer.dtype).join(',');
  const key = `ew:${name}:${types}:${rank}:${ops.key}`;
  const source = (): string => {
    const base = (k: number): number => 1 + rank + k * (rank + 1);
    const walkers = views.map((_, k) => ({ offset: p(base(k)), stride: (d: number) => p(base(k) + 1 + d) }));
    const args = inputs.map((v, k) =>
      convert(`${ops.names[k + 1]}[at${k + 1}]`, storageType(v.buffer.dtype), rule.operand),
    );
    const value = convert(rule.expr(args), rule.result, storageType(out.buffer.dtype));
    const lets = rule.lets?.(args) ?? '';
    return `${prelude(ops.bindings, params.length)}
${rule.helpers ?? ''}
${linearLoop(
  p(0),
  `${walk('at', 'i', rank, (d) => p(1 + d), walkers)}
  ${lets}
  O[at0] = ${value};`,
)}`;
  };
  return { key, source, buffers: ops.buffers, params, workgroups: loopGrid(n) };
}

export function unaryKernel(op: UnaryOp, x: View, out: View): KernelCall | null {
  // A cast and a NaN test compute in the source's type; every other op in the result's.
  const t = arithType(op === 'identity' || op === 'isnan' ? x.buffer.dtype : out.buffer.dtype);
  return elementwise(op, unaryRule(op, t), [x], out);
}

export function binaryKernel(op: BinaryOp, a: View, b: View, out: View): KernelCall | null {
  const operands = arithType(promoteTypes(a.buffer.dtype, b.buffer.dtype));
  return elementwise(op, binaryRule(op, arithType(out.buffer.dtype), operands), [a, b], out);
}

export function whereKernel(cond: View, a: View, b: View, out: View): KernelCall | null {
  const t = arithType(out.buffer.dtype);
  // select(f, t, c): the condition arrives as an operand of type t, so compare it with zero here.
  const rule: OpRule = { operand: t, result: t, expr: ([c, x, y]) => `select(${y}, ${x}, ${c} != ${t}(0))` };
  return elementwise('where', rule, [cond, a, b], out);
}

/** ReLU's backward, out = y > 0 ? g : 0: the composed gt and where's values in one pass. */
export function reluBackwardKernel(grad: View, y: View, out: View): KernelCall | null {
  const t = arithType(out.buffer.dtype);
  const rule: OpRule = { operand: t, result: t, expr: ([g, v]) => `select(${t}(0), ${g}, ${v} > ${t}(0))` };
  return elementwise('relu-backward', rule, [grad, y], out);
}
