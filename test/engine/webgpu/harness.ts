/**
 * Kernel-level harness for the WebGPU backend: the same buffers and strided views go to the CPU
 * backend (the reference) and to WebGPU, and whole buffers are compared afterwards, so a kernel that
 * writes outside its out view fails too. Suites skip with one line when no adapter is found, unless
 * REQUIRE_WEBGPU=1 (CI with a GPU, or lavapipe) makes a missing adapter a failure.
 */
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import type { Backend, DeviceBuffer, View } from '../../../engine/backend/types.ts';
import { cpuBackend } from '../../../engine/backends/cpu/index.ts';
import { initWebGPU, type WebGPUBackend } from '../../../engine/backends/webgpu/index.ts';
import type { DType, HostArray } from '../../../engine/dtype.ts';
import { hostArray } from '../../../engine/dtype.ts';

process.env.XDG_RUNTIME_DIR ??= '/tmp';

async function acquire(): Promise<WebGPUBackend | null> {
  const backend = (await initWebGPU()) as WebGPUBackend | null;
  if (backend) return backend;
  if (process.env.REQUIRE_WEBGPU === '1') throw new Error('REQUIRE_WEBGPU=1 but no WebGPU adapter was found.');
  console.log('WebGPU suites skipped: no adapter found (set REQUIRE_WEBGPU=1 to make this a failure).');
  return null;
}

export const gpu = await acquire();
/** describe() for WebGPU suites: skipped without an adapter; generous timeouts, as lavapipe compiles kernels on a loaded CPU. */
export function describeWebGPU(name: string, body: () => void): void {
  (gpu ? describe : describe.skip)(name, { timeout: 120_000 }, body);
}

/** A buffer with the same contents on both backends. */
export interface Pair {
  readonly dtype: DType;
  readonly cpu: DeviceBuffer;
  readonly gpu: DeviceBuffer;
}

export function pair(dtype: DType, data: HostArray): Pair {
  return { dtype, cpu: cpuBackend.upload(data, dtype), gpu: gpu!.upload(data, dtype) };
}

export function release(...pairs: Pair[]): void {
  for (const p of pairs) {
    cpuBackend.release(p.cpu);
    gpu!.release(p.gpu);
  }
}

/** Shape, strides and offset of a view, without its buffer. */
export interface Layout {
  readonly shape: number[];
  readonly strides: number[];
  readonly offset: number;
  /** Elements the buffer needs to hold the view. */
  readonly length: number;
}

export function viewOf(buffer: DeviceBuffer, layout: Layout): View {
  return { buffer, shape: layout.shape, strides: layout.strides, offset: layout.offset };
}

/** Runs `kernel` on both backends with views of the same layouts. */
export function both(kernel: (backend: Backend, side: 'cpu' | 'gpu') => void): void {
  kernel(cpuBackend, 'cpu');
  kernel(gpu!, 'gpu');
}

export function contiguous(shape: readonly number[]): Layout {
  const strides: number[] = [];
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = step;
    step *= shape[d]!;
  }
  return { shape: [...shape], strides, offset: 0, length: Math.max(step, 1) };
}

/**
 * Layouts a view of `shape` can have in a buffer: dims stored in any order (transposes), padded
 * (slices with gaps), at an offset, and — for inputs only — broadcast dims with stride 0.
 */
export function layoutArb(shape: readonly number[], { broadcast = false } = {}): fc.Arbitrary<Layout> {
  const n = shape.length;
  return fc
    .record({
      order: fc.array(fc.nat(), { minLength: n, maxLength: n }),
      pads: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: n, maxLength: n }),
      zero: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      offset: fc.integer({ min: 0, max: 3 }),
    })
    .map(({ order, pads, zero, offset }) => {
      const perm = shape.map((_, d) => d).sort((a, b) => order[a]! - order[b]! || a - b);
      const strides = new Array<number>(n).fill(0);
      let step = 1;
      for (let k = n - 1; k >= 0; k--) {
        const d = perm[k]!;
        const stored = broadcast && zero[d] ? 1 : shape[d]! + pads[d]!;
        strides[d] = broadcast && zero[d] ? 0 : step;
        step *= stored;
      }
      return { shape: [...shape], strides, offset, length: offset + step };
    });
}

/** Deterministic values for a dtype (seeded; floats in [lo, hi), ints small so ties happen). */
export function values(dtype: DType, length: number, seed: number, { lo = -2, hi = 2 } = {}): HostArray {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = hostArray(dtype, length);
  for (let i = 0; i < length; i++) {
    if (dtype === 'bool') out[i] = next() < 0.5 ? 1 : 0;
    else if (dtype === 'int32') out[i] = Math.floor(lo + next() * (hi - lo + 1));
    else out[i] = lo + next() * (hi - lo);
  }
  return out;
}

export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

export const TOL: Record<DType, Tolerance> = {
  float32: { atol: 1e-5, rtol: 1e-4 },
  float16: { atol: 2e-3, rtol: 2e-3 },
  bfloat16: { atol: 1.6e-2, rtol: 1.6e-2 },
  float64: { atol: 0, rtol: 0 },
  int32: { atol: 0, rtol: 0 },
  int8: { atol: 0, rtol: 0 },
  bool: { atol: 0, rtol: 0 },
};

/** Reads the whole buffer from both backends and compares them element by element. */
export async function expectSame(p: Pair, tol: Tolerance = TOL[p.dtype], what = ''): Promise<void> {
  const whole: Layout = contiguous([p.cpu.length]);
  const [expected, actual] = await Promise.all([
    cpuBackend.read(viewOf(p.cpu, whole)),
    gpu!.read(viewOf(p.gpu, whole)),
  ]);
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    const close = Number.isNaN(e)
      ? Number.isNaN(a)
      : !Number.isFinite(e)
        ? a === e
        : Math.abs(a - e) <= tol.atol + tol.rtol * Math.abs(e);
    if (!close) expect.fail(`${what} element ${i}: webgpu gave ${a}, cpu ${e} (of ${expected.length})`);
  }
}

export const runs = (numRuns: number): fc.Parameters<unknown> => ({ numRuns });
