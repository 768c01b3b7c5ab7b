/**
 * Compiling a generated kernel module and growing its memory: shared by the float32 matmul and the
 * int8 (quantized Linear) matmul. Where WebAssembly or its SIMD extension is missing, the module
 * fails to validate and instantiate() returns null, so callers keep their JavaScript kernel.
 */

/** The slice of the WebAssembly JS API used here (the project's TS lib settings do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/** A compiled module's exports and its memory, or null where this runtime cannot run it. */
export function instantiate(bytes: Uint8Array): { exports: Record<string, unknown>; memory: WasmMemory } | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined || !wasm.validate(bytes)) return null;
  const { exports } = new wasm.Instance(new wasm.Module(bytes), {});
  return { exports, memory: exports.memory as WasmMemory };
}

/** Grows `memory` to at least `bytes`; true when it grew (which detaches views on the old buffer). */
export function growTo(memory: WasmMemory, bytes: number): boolean {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return false;
  memory.grow(Math.ceil((bytes - have) / 65536));
  return true;
}
