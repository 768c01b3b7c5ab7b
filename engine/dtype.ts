/**
 * Data types and PyTorch's type-promotion rules.
 *
 * float16 and bfloat16 are stored on the CPU as float32 values rounded to their precision
 * (JavaScript has no Float16Array on Node 20); they are still accounted as 2 bytes per element so
 * that memory figures mean what they would mean natively.
 */
export type DType = 'float32' | 'float64' | 'float16' | 'bfloat16' | 'int32' | 'int8' | 'bool';
export type Device = 'cpu' | 'webgpu';

export const DTYPES: readonly DType[] = ['float32', 'float64', 'float16', 'bfloat16', 'int32', 'int8', 'bool'];
export const DEVICES: readonly Device[] = ['cpu', 'webgpu'];

/** The typed arrays values travel in between host and device. */
export type HostArray = Float32Array | Float64Array | Int32Array | Int8Array | Uint8Array;

export const itemSize: Readonly<Record<DType, number>> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int32: 4,
  int8: 1,
  bool: 1,
};

/** PyTorch's ScalarType names, as its error messages print a dtype ("… got: Int", "found Float"). */
export const scalarTypeNames: Readonly<Record<DType, string>> = {
  float32: 'Float',
  float64: 'Double',
  float16: 'Half',
  bfloat16: 'BFloat16',
  int32: 'Int',
  int8: 'Char',
  bool: 'Bool',
};

export function isFloatingPoint(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float64' || dtype === 'float16' || dtype === 'bfloat16';
}

/** torch.can_cast: an op may write its result into a tensor of `to` (no float into an integer, nothing into bool). */
export function canCast(from: DType, to: DType): boolean {
  if (isFloatingPoint(from) && !isFloatingPoint(to)) return false;
  return from === 'bool' || to !== 'bool';
}

/** The 2-byte float dtypes, whose values the CPU keeps rounded in a Float32Array. */
export function isHalfPrecision(dtype: DType): dtype is 'float16' | 'bfloat16' {
  return dtype === 'float16' || dtype === 'bfloat16';
}

/** The host array type that holds a dtype's values. */
export function hostArray(dtype: DType, length: number): HostArray {
  switch (dtype) {
    case 'float64':
      return new Float64Array(length);
    case 'float32':
    case 'float16':
    case 'bfloat16':
      return new Float32Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'int8':
      return new Int8Array(length);
    case 'bool':
      return new Uint8Array(length);
  }
}

const rank: Readonly<Record<DType, number>> = {
  bool: 0,
  int8: 1,
  int32: 2,
  float16: 3,
  bfloat16: 3,
  float32: 4,
  float64: 5,
};

/**
 * torch.promote_types: bool < int8 < int32 < float16, bfloat16 < float32 < float64; float16 and bfloat16
 * hold neither's range nor precision, so together they promote to float32, as in PyTorch.
 */
export function promoteTypes(a: DType, b: DType): DType {
  if (a !== b && isHalfPrecision(a) && isHalfPrecision(b)) return 'float32';
  return rank[a] >= rank[b] ? a : b;
}

/**
 * The dtype a Python scalar takes part in promotion with, as PyTorch does: a scalar never widens a
 * tensor of the same category (int tensor * 2 stays int32, float32 tensor * 2.5 stays float32), but a
 * float scalar makes an integer or bool tensor float32 (torch.get_default_dtype()).
 */
export function promoteWithScalar(tensorDtype: DType, scalar: number | boolean): DType {
  if (typeof scalar === 'boolean') return tensorDtype;
  if (Number.isInteger(scalar)) return tensorDtype === 'bool' ? 'int32' : tensorDtype;
  return isFloatingPoint(tensorDtype) ? tensorDtype : 'float32';
}

export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && (DTYPES as readonly string[]).includes(value);
}

export function isDevice(value: unknown): value is Device {
  return typeof value === 'string' && (DEVICES as readonly string[]).includes(value);
}

/** PyTorch's GPU devices ('cuda', 'cuda:0', 'mps', …): the kit's GPU is 'webgpu'. */
const GPU_NAMES = /^(cuda|mps|gpu|xpu|hip|metal|vulkan)(:\d+)?$/i;

/** The device `value` names, or an error that says which device was meant ('cuda' → 'webgpu'). */
export function checkDevice(value: unknown): Device {
  if (isDevice(value)) return value;
  const shown = typeof value === 'string' ? `'${value}'` : String(value);
  const hint =
    typeof value === 'string' && GPU_NAMES.test(value)
      ? `torchlings' GPU device is 'webgpu': use .to('webgpu') (after \`await torch.webgpu.init()\`) where PyTorch says ${shown}`
      : "expected 'cpu' or 'webgpu'";
  throw new TypeError(`unknown device ${shown}: ${hint}`);
}

/** PyTorch's dtype names the kit spells differently: int64 is int32 here (JavaScript has no cheap int64). */
const DTYPE_ALIASES: Readonly<Record<string, DType>> = {
  int64: 'int32',
  long: 'int32',
  int: 'int32',
  float: 'float32',
  double: 'float64',
  half: 'float16',
  uint8: 'int32',
};

/** Whether `value` is PyTorch's name of a dtype the kit spells differently ('int64', 'torch.long'). */
export function isDTypeAlias(value: string): boolean {
  return value.replace(/^torch\./, '') in DTYPE_ALIASES;
}

/** The dtype `value` names, or an error naming the kit's dtype for a PyTorch one. */
export function checkDType(value: unknown): DType {
  if (isDType(value)) return value;
  const shown = typeof value === 'string' ? `'${value}'` : String(value);
  const alias = typeof value === 'string' ? DTYPE_ALIASES[value.replace(/^torch\./, '')] : undefined;
  const hint = alias ? `; did you mean '${alias}'?` : `: expected one of ${DTYPES.join(', ')}`;
  throw new TypeError(`unknown dtype ${shown}${hint}`);
}

const f16Scratch = new Float32Array(1);
const f16Bits = new Uint32Array(f16Scratch.buffer);

/** Rounds a number to the nearest float16 value (round half to even), as a cast to half does. */
export function roundToFloat16(x: number): number {
  if (!Number.isFinite(x)) return x;
  const ax = Math.abs(x);
  if (ax >= 65520) return x > 0 ? Infinity : -Infinity;
  if (ax < 2 ** -24 / 2) return x < 0 || Object.is(x, -0) ? -0 : 0;
  f16Scratch[0] = x;
  const bits = f16Bits[0]!;
  const exponent = ((bits >>> 23) & 0xff) - 127;
  // Subnormal halves have a fixed quantum of 2^-24; normal ones keep 10 mantissa bits.
  const quantum = exponent < -14 ? 2 ** -24 : 2 ** (exponent - 10);
  const q = x / quantum;
  let r = Math.floor(q);
  const frac = q - r;
  if (frac > 0.5 || (frac === 0.5 && r % 2 !== 0)) r += 1;
  return r * quantum;
}

const bf16Scratch = new Float32Array(1);
const bf16Bits = new Uint32Array(bf16Scratch.buffer);

/**
 * Rounds a number to the nearest bfloat16 value (round half to even), as a cast to bfloat16 does:
 * bfloat16 is the top 16 bits of a float32 (8 exponent bits, 7 mantissa bits).
 */
export function roundToBfloat16(x: number): number {
  if (x !== x) return x;
  bf16Scratch[0] = x;
  const bits = bf16Bits[0]!;
  // Adding 0x7fff plus the kept part's lowest bit rounds to nearest, ties to even; a carry into the
  // exponent is correct (it rounds up to the next binade, or to infinity).
  bf16Bits[0] = ((bits + 0x7fff + ((bits >>> 16) & 1)) & 0xffff0000) >>> 0;
  return bf16Scratch[0]!;
}

/** The rounding a stored value of `dtype` gets (2-byte floats), or null where a typed array stores it exactly. */
export function storeRounding(dtype: DType): ((x: number) => number) | null {
  if (dtype === 'float16') return roundToFloat16;
  if (dtype === 'bfloat16') return roundToBfloat16;
  return null;
}
