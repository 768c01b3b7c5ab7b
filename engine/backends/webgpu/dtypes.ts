/**
 * How each engine dtype lives on the GPU. WGSL has no 8-bit storage and no f64: bool is one u32
 * per element (memory figures still count its logical byte), float64 is refused as PyTorch's MPS
 * backend refuses it, and float16 needs the adapter feature `shader-f16`.
 */
import type { DType, HostArray } from '../../dtype.ts';
import { hostArray } from '../../dtype.ts';
import { fromHalfBits, toHalfBits } from './float16.ts';

/** The WGSL type of one stored element. */
export type StorageType = 'f32' | 'f16' | 'i32' | 'u32';
/** The WGSL type arithmetic happens in: float16 computes in f32 and rounds once on store, as the CPU backend does. */
export type ComputeType = 'f32' | 'i32' | 'bool';

export function storageType(dtype: DType): StorageType {
  switch (dtype) {
    case 'float32':
      return 'f32';
    case 'float16':
      return 'f16';
    case 'int32':
      return 'i32';
    case 'bool':
      return 'u32';
    case 'float64':
      throw float64Error();
    case 'bfloat16':
      throw bfloat16Error();
    case 'int8':
      throw int8Error();
  }
}

/** The type arithmetic on a dtype's values happens in (bool counts as 0/1 in arithmetic). */
export function arithType(dtype: DType): 'f32' | 'i32' {
  return dtype === 'float32' || dtype === 'float16' ? 'f32' : 'i32';
}

/** WGSL has f16 but no bfloat16; autocast on webgpu picks float16, as CUDA's autocast does. */
export function bfloat16Error(): Error {
  return new Error(
    'Cannot convert a bfloat16 Tensor to webgpu: WGSL has no bfloat16; use .half() (needs shader-f16) or .float().',
  );
}

/** int8 (quantized weights) stays on the CPU: WGSL has no 8-bit storage type. */
export function int8Error(): Error {
  return new Error(
    'Cannot convert an int8 Tensor to webgpu: WGSL has no 8-bit storage; use .int() or keep it on the cpu.',
  );
}

export function float64Error(): Error {
  return new Error('Cannot convert a float64 Tensor to webgpu: WebGPU has no float64; use .float() first.');
}

/** Throws the user-facing reason when `dtype` cannot live on this adapter. */
export function assertStorable(dtype: DType, hasF16: boolean, adapterName: string): void {
  if (dtype === 'float64') throw float64Error();
  if (dtype === 'bfloat16') throw bfloat16Error();
  if (dtype === 'int8') throw int8Error();
  if (dtype === 'float16' && !hasF16) {
    throw new Error(
      `float16 on webgpu needs the adapter feature shader-f16, which ${adapterName} lacks; use .float() instead.`,
    );
  }
}

/** Bytes one element takes in GPU memory. */
export function storageBytes(dtype: DType): number {
  return dtype === 'float16' ? 2 : 4;
}

/** `expr` (of WGSL type `from`) as a value of type `to`. */
export function convert(expr: string, from: ComputeType | StorageType, to: ComputeType | StorageType): string {
  if (from === to) return expr;
  if (from === 'bool') return to === 'bool' ? expr : `select(${to}(0), ${to}(1), ${expr})`;
  // A float is tested on its bits: the compiler may assume no NaNs, and NaN is nonzero (true).
  const nonzero =
    from === 'f32' || from === 'f16' ? `((bitcast<u32>(f32(${expr})) & 0x7fffffffu) != 0u)` : `(${expr} != ${from}(0))`;
  if (to === 'bool') return nonzero;
  // bool storage holds 0/1, so any nonzero value stored as bool must become exactly 1.
  if (to === 'u32') return `select(0u, 1u, ${nonzero})`;
  return `${to}(${expr})`;
}

/** Host values as the bytes the GPU stores (length padded to a multiple of 4 bytes). */
export function toStorage(data: HostArray, dtype: DType): ArrayBufferView {
  switch (dtype) {
    case 'float32':
      return data instanceof Float32Array ? data : Float32Array.from(data);
    case 'int32':
      return data instanceof Int32Array ? data : Int32Array.from(data);
    case 'bool':
      return Uint32Array.from(data, (v) => (v ? 1 : 0));
    case 'float16': {
      const bits = new Uint16Array(data.length + (data.length % 2));
      for (let i = 0; i < data.length; i++) bits[i] = toHalfBits(data[i]!);
      return bits;
    }
    case 'float64':
      throw float64Error();
    case 'bfloat16':
      throw bfloat16Error();
    case 'int8':
      throw int8Error();
  }
}

/** Stored bytes back as the host array for the dtype. */
export function fromStorage(bytes: ArrayBuffer, dtype: DType, length: number): HostArray {
  const out = hostArray(dtype, length);
  switch (dtype) {
    case 'float32':
      out.set(new Float32Array(bytes, 0, length));
      break;
    case 'int32':
      out.set(new Int32Array(bytes, 0, length));
      break;
    case 'bool':
      out.set(new Uint32Array(bytes, 0, length));
      break;
    case 'float16': {
      const bits = new Uint16Array(bytes, 0, length);
      for (let i = 0; i < length; i++) out[i] = fromHalfBits(bits[i]!);
      break;
    }
    case 'float64':
      throw float64Error();
    case 'bfloat16':
      throw bfloat16Error();
    case 'int8':
      throw int8Error();
  }
  return out;
}
