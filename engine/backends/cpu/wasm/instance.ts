/**
 * Compiling a generated kernel module and growing its memory: shared by the float32 matmul and the
 * int8 (quantized Linear) matmul. Where WebAssembly or its SIMD extension is missing, the module
 * fails to validate and instantiate() returns null, so callers keep their JavaScript kernel.
 */
import { setFlagsFromString } from 'node:v8';

/** The slice of the WebAssembly JS API used here (the project's TS lib settings do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

/**
 * A compiled module's exports and its memory, or null where this runtime cannot run it. With
 * `sharedMaxPages` the module imports its memory (see moduleOfFunctions) and gets a new shared one.
 */
export function instantiate(
  bytes: Uint8Array,
  sharedMaxPages?: number,
): { exports: Record<string, unknown>; memory: WasmMemory } | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined || !wasm.validate(bytes)) return null;
  const env =
    sharedMaxPages === undefined
      ? undefined
      : { memory: new wasm.Memory({ initial: 1, maximum: sharedMaxPages, shared: true }) };
  const { exports } = new wasm.Instance(new wasm.Module(bytes), env ? { env } : {});
  return { exports, memory: exports.memory as WasmMemory };
}

/**
 * A module compiled once and instantiated on demand, each instance with its own memory (a module
 * exporting its memory, as moduleBytes makes); null where this runtime cannot run it.
 */
export function compiled(bytes: Uint8Array): (() => { exports: Record<string, unknown>; memory: WasmMemory }) | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined || !wasm.validate(bytes)) return null;
  const module = new wasm.Module(bytes);
  return () => {
    const { exports } = new wasm.Instance(module, {});
    return { exports, memory: exports.memory as WasmMemory };
  };
}

/** Grows `memory` to at least `bytes`; true when it grew (which detaches views on the old buffer). */
export function growTo(memory: WasmMemory, bytes: number): boolean {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return false;
  memory.grow(Math.ceil((bytes - have) / 65536));
  return true;
}

/**
 * Whether the runtime validates `bytes`, a module using relaxed SIMD: on Node 20 the proposal is
 * behind a V8 flag, set here (flags are per process, so later compiles and worker threads see it too).
 */
export function validatesRelaxedSimd(bytes: Uint8Array): boolean {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined) return false;
  if (wasm.validate(bytes)) return true;
  setFlagsFromString('--experimental-wasm-relaxed-simd');
  return wasm.validate(bytes);
}
