/**
 * A tiny WebAssembly binary emitter: just enough to write one module with one exported function
 * and one exported memory, so the matmul kernel can be generated at startup from readable
 * TypeScript instead of shipping an opaque .wasm blob or taking a compiler dependency.
 *
 * Only the instructions the kernel uses are here. Encodings follow the WebAssembly core spec
 * (binary format, §5) and the fixed-width SIMD proposal's BinarySIMD.md: every SIMD instruction
 * is the prefix 0xFD followed by its opcode as an unsigned LEB128.
 */

export type ValType = 'i32' | 'v128';
const VALTYPE: Record<ValType, number> = { i32: 0x7f, v128: 0x7b };

/** f32x4 arithmetic opcodes (after the 0xFD prefix). */
const F32X4 = { abs: 0xe0, neg: 0xe1, sqrt: 0xe3, add: 0xe4, sub: 0xe5, mul: 0xe6, div: 0xe7 } as const;

/** Unsigned LEB128 (sizes, indices, SIMD opcodes, memarg fields). */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32.const immediates). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A length-prefixed vector of already-encoded items. */
function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

/**
 * A function body under construction. Parameters and locals are referred to by name; each
 * instruction method appends its bytes and returns `this`, so straight-line code chains. Operands
 * are pushed by the instructions before the one that pops them, as in the text format.
 */
export class FunctionBuilder {
  private readonly bytes: number[] = [];
  private readonly index = new Map<string, number>();
  private readonly localTypes: ValType[] = [];

  constructor(readonly params: readonly string[]) {
    params.forEach((name, i) => this.index.set(name, i));
  }

  /** Declares a local (zero-initialised by the engine). */
  local(name: string, type: ValType): this {
    if (this.index.has(name)) throw new Error(`local ${name} declared twice`);
    this.index.set(name, this.params.length + this.localTypes.length);
    this.localTypes.push(type);
    return this;
  }

  private slot(name: string): number {
    const i = this.index.get(name);
    if (i === undefined) throw new Error(`unknown local ${name}`);
    return i;
  }

  private op(...bytes: number[]): this {
    this.bytes.push(...bytes);
    return this;
  }

  private simd(opcode: number, ...immediates: number[]): this {
    return this.op(0xfd, ...uleb(opcode), ...immediates);
  }

  /** memarg: alignment as log2 bytes (a hint), then a constant byte offset added to the address. */
  private memarg(alignLog2: number, offset: number): number[] {
    return [...uleb(alignLog2), ...uleb(offset)];
  }

  get(name: string): this {
    return this.op(0x20, ...uleb(this.slot(name)));
  }
  set(name: string): this {
    return this.op(0x21, ...uleb(this.slot(name)));
  }
  tee(name: string): this {
    return this.op(0x22, ...uleb(this.slot(name)));
  }

  i32Const(n: number): this {
    return this.op(0x41, ...sleb(n));
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  i32Ne(): this {
    return this.op(0x47);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  i32Or(): this {
    return this.op(0x72);
  }
  /** i32.lt_s: 1 where a < b as signed integers. */
  i32LtS(): this {
    return this.op(0x48);
  }
  /** i32.ge_u: 1 where a ≥ b as unsigned integers (byte addresses). */
  i32GeU(): this {
    return this.op(0x4f);
  }
  /** f32.load [addr + offset] (4-byte aligned). */
  f32Load(offset = 0): this {
    return this.op(0x2a, ...this.memarg(2, offset));
  }
  /** f32.store [addr + offset] ← value (address pushed first). */
  f32Store(offset = 0): this {
    return this.op(0x38, ...this.memarg(2, offset));
  }
  /** select: of a, b and an i32 condition, a where the condition is nonzero, else b (no branch). */
  select(): this {
    return this.op(0x1b);
  }
  /** f32.add: the correctly rounded float32 sum. */
  f32Add(): this {
    return this.op(0x92);
  }
  /** i32.load [addr + offset] (4-byte aligned): moves an f32's bits without converting them. */
  i32Load(offset = 0): this {
    return this.op(0x28, ...this.memarg(2, offset));
  }
  /** i32.store [addr + offset] ← value (address pushed first). */
  i32Store(offset = 0): this {
    return this.op(0x36, ...this.memarg(2, offset));
  }
  /** memory.copy (bulk memory): n bytes from src to dst, a memmove (dst, src, n pushed in that order). */
  memoryCopy(): this {
    return this.op(0xfc, ...uleb(10), 0x00, 0x00);
  }
  /** name += n, for pointer bumps. */
  addTo(name: string, n: number): this {
    return this.get(name).i32Const(n).i32Add().set(name);
  }

  /** `block … end` (no result): `br 0` inside jumps past its end. */
  block(body: (f: this) => void): this {
    this.op(0x02, 0x40);
    body(this);
    return this.op(0x0b);
  }
  /** `loop … end` (no result): `br 0` inside jumps back to its start. */
  loop(body: (f: this) => void): this {
    this.op(0x03, 0x40);
    body(this);
    return this.op(0x0b);
  }
  /** Calls function `index` of the module (its functions in the order the module lists them). */
  call(index: number): this {
    return this.op(0x10, ...uleb(index));
  }
  /** `if … else … end` (no result) on the i32 popped: nonzero runs `then`, zero runs `otherwise`. */
  ifElse(then: (f: this) => void, otherwise: (f: this) => void): this {
    this.op(0x04, 0x40);
    then(this);
    this.op(0x05);
    otherwise(this);
    return this.op(0x0b);
  }
  /** `if … end` (no result) on the i32 popped: nonzero runs `then`. */
  ifThen(then: (f: this) => void): this {
    this.op(0x04, 0x40);
    then(this);
    return this.op(0x0b);
  }
  brIf(depth: number): this {
    return this.op(0x0d, ...uleb(depth));
  }

  /** v128.const with all lanes zero. */
  v128Zero(): this {
    return this.simd(0x0c, ...new Array<number>(16).fill(0));
  }
  /** v128.load [addr + offset]; addresses in the kernel are 16-byte aligned. */
  v128Load(offset = 0): this {
    return this.simd(0x00, ...this.memarg(4, offset));
  }
  /** v128.load32_splat: one f32 from [addr + offset] into all four lanes. */
  v128Load32Splat(offset = 0): this {
    return this.simd(0x09, ...this.memarg(2, offset));
  }
  /** v128.store [addr + offset] ← value (address pushed first). */
  v128Store(offset = 0): this {
    return this.simd(0x0b, ...this.memarg(4, offset));
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  /**
   * f32x4.relaxed_madd (relaxed-SIMD): a·b + c, fused (one rounding) where the CPU has FMA, else a
   * multiply and an add; either way the same on every run on one machine.
   */
  f32x4RelaxedMadd(): this {
    return this.simd(0x105);
  }
  i32x4Add(): this {
    return this.simd(0xae);
  }
  /** v128.load64_zero: two f32 from [addr + offset] into the low lanes, zeros above. */
  v128Load64Zero(offset = 0): this {
    return this.simd(0x5d, ...this.memarg(3, offset));
  }
  /** v128.load64_splat: one f64 from [addr + offset] into both lanes. */
  v128Load64Splat(offset = 0): this {
    return this.simd(0x0a, ...this.memarg(3, offset));
  }
  /** v128.store64_lane 0: the low 8 bytes (two f32 after a demote) to [addr + offset]. */
  v128Store64Low(offset = 0): this {
    return this.simd(0x5b, ...this.memarg(3, offset), 0);
  }
  /** f64x2.promote_low_f32x4: the two low f32 lanes, exactly, as two f64. */
  f64x2PromoteLow(): this {
    return this.simd(0x5f);
  }
  /** f32x4.demote_f64x2_zero: two f64 rounded to nearest f32 (as a Float32Array store rounds) in the low lanes. */
  f32x4DemoteZero(): this {
    return this.simd(0x5e);
  }
  f64x2Add(): this {
    return this.simd(0xf0);
  }
  f64x2Sub(): this {
    return this.simd(0xf1);
  }
  f64x2Mul(): this {
    return this.simd(0xf2);
  }
  f64x2Div(): this {
    return this.simd(0xf3);
  }
  f64x2Sqrt(): this {
    return this.simd(0xef);
  }
  /** A one-opcode f32x4 arithmetic instruction by name (both operands, or the one, on the stack). */
  simdOp(op: keyof typeof F32X4): this {
    return this.simd(F32X4[op]);
  }
  f32x4Gt(): this {
    return this.simd(0x44);
  }
  f32x4Ne(): this {
    return this.simd(0x42);
  }
  v128And(): this {
    return this.simd(0x4e);
  }
  v128Or(): this {
    return this.simd(0x50);
  }
  /** i32x4.dot_i16x8_s: lane i = a[2i]·b[2i] + a[2i+1]·b[2i+1], the i16 lanes multiplied exactly. */
  i32x4DotI16x8S(): this {
    return this.simd(0xba);
  }
  /**
   * i32x4.relaxed_dot_i8x16_i7x16_add_s (relaxed SIMD): lane i = c[i] + Σ_{j<4} a[4i+j]·b[4i+j], a
   * signed i8, b read as i7: exact and the same everywhere while every b is in [0, 127].
   */
  i32x4RelaxedDotI8x16I7x16AddS(): this {
    return this.simd(0x113);
  }
  i32x4Sub(): this {
    return this.simd(0xb1);
  }
  /** i8x16.narrow_i16x8_u: the i16 lanes of a then b, each saturated to [0, 255]. */
  i8x16NarrowI16x8U(): this {
    return this.simd(0x66);
  }
  /** f64x2.convert_low_i32x4_s: the two low i32 lanes, exactly, as two f64. */
  f64x2ConvertLowI32x4S(): this {
    return this.simd(0xfe);
  }
  /** i32x4.splat: an i32 into all four lanes (an f32's bits splat this way are an f32x4). */
  i32x4Splat(): this {
    return this.simd(0x11);
  }
  /** i8x16.shuffle with the bytes of four i32 lanes: lanes 0–3 pick from the first operand, 4–7 the second. */
  i32x4Shuffle(lanes: readonly [number, number, number, number]): this {
    return this.simd(0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
  }
  /** f32x4.nearest: round to the nearest integer, ties to even (C's nearbyint). */
  f32x4Nearest(): this {
    return this.simd(0x6a);
  }
  /** i32x4.trunc_sat_f32x4_s: toward zero, saturating; NaN becomes 0. */
  i32x4TruncSatF32x4S(): this {
    return this.simd(0xf8);
  }
  i32x4MinS(): this {
    return this.simd(0xb6);
  }
  i32x4MaxS(): this {
    return this.simd(0xb8);
  }
  /** f32x4.pmin: b < a ? b : a per lane, so a NaN in b leaves a. */
  f32x4Pmin(): this {
    return this.simd(0xea);
  }
  /** f32x4.pmax: a < b ? b : a per lane, so a NaN in b leaves a. */
  f32x4Pmax(): this {
    return this.simd(0xeb);
  }
  /** v128.const: sixteen bytes, lane 0's first. */
  v128Const(bytes: readonly number[]): this {
    if (bytes.length !== 16) throw new Error('v128.const takes 16 bytes');
    return this.simd(0x0c, ...bytes);
  }
  /** f32x4.max: the larger lane, NaN where either is NaN (torch.maximum's rule). */
  f32x4Max(): this {
    return this.simd(0xe9);
  }
  f64x2Abs(): this {
    return this.simd(0xec);
  }
  /** f64x2.gt: all ones where a > b (false for NaN). */
  f64x2Gt(): this {
    return this.simd(0x4a);
  }
  v128Xor(): this {
    return this.simd(0x51);
  }
  i64x2Add(): this {
    return this.simd(0xce);
  }
  i64x2Sub(): this {
    return this.simd(0xd1);
  }
  /** i64x2.eq: all ones where the 64-bit lanes are equal. */
  i64x2Eq(): this {
    return this.simd(0xd6);
  }
  /** v128.any_true: the i32 1 where any bit is set. */
  v128AnyTrue(): this {
    return this.simd(0x53);
  }
  /** i64x2.shr_s by the i32 on top of the stack (its low six bits). */
  i64x2ShrS(): this {
    return this.simd(0xcc);
  }
  /** i16x8.narrow_i32x4_s: the lanes of a then b, each saturated to i16. */
  i16x8NarrowI32x4S(): this {
    return this.simd(0x85);
  }

  /** The code-section entry: locals (one group per local; the spec allows runs) then the body. */
  encode(): number[] {
    const locals = vec(this.localTypes.map((t) => [1, VALTYPE[t]]));
    const body = [...locals, ...this.bytes, 0x0b];
    return [...uleb(body.length), ...body];
  }
}

function section(id: number, content: number[]): number[] {
  return [id, ...uleb(content.length), ...content];
}

function name(s: string): number[] {
  const bytes = [...new TextEncoder().encode(s)];
  return [...uleb(bytes.length), ...bytes];
}

/**
 * A module exporting one function (all parameters i32, no results) as `fnName` and its memory as
 * `memoryName`; the memory starts at one 64 KiB page and the host grows it.
 */
export function moduleBytes(fnName: string, fn: FunctionBuilder, memoryName: string): Uint8Array {
  return moduleOfFunctions({ [fnName]: fn }, memoryName);
}

/**
 * The same with several functions sharing the memory, each exported under its key. With
 * `sharedMaxPages` the memory is not the module's own but imported as env.memory, shared (threads
 * proposal: limits flag 0x03, a maximum required), so instances on several threads see one memory.
 */
export function moduleOfFunctions(
  functions: Record<string, FunctionBuilder>,
  memoryName: string,
  sharedMaxPages?: number,
): Uint8Array {
  const fns = Object.entries(functions);
  const funcTypes = fns.map(([, fn]) => [0x60, ...vec(fn.params.map(() => [VALTYPE.i32])), ...vec([])]);
  const memory =
    sharedMaxPages === undefined
      ? section(5, vec([[0x00, ...uleb(1)]])) // memory section: limits {min 1, no max}
      : section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x03, ...uleb(1), ...uleb(sharedMaxPages)]])); // import section
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d], // magic "\0asm"
    ...[0x01, 0x00, 0x00, 0x00], // version 1
    ...section(1, vec(funcTypes)), // type section: type i for function i
    ...(sharedMaxPages === undefined ? [] : memory), // sections in id order: import (2) before function (3)
    ...section(3, vec(fns.map((_, i) => uleb(i)))), // function section: function i has type i
    ...(sharedMaxPages === undefined ? memory : []),
    ...section(
      7, // export section: the functions and memory 0
      vec([...fns.map(([n], i) => [...name(n), 0x00, ...uleb(i)]), [...name(memoryName), 0x02, ...uleb(0)]]),
    ),
    ...section(10, vec(fns.map(([, fn]) => fn.encode()))), // code section
  ];
  return Uint8Array.from(bytes);
}
