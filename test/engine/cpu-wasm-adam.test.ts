import { describe, expect, it } from 'vitest';
import type { AdamStepParams, View } from '../../engine/backend/types.ts';
import { cpuData, makeCpuBuffer } from '../../engine/backends/cpu/buffer.ts';
import { adamStep } from '../../engine/backends/cpu/optim.ts';
import { wasmSimdAvailable } from '../../engine/backends/cpu/wasm/matmul.ts';

/** A [n] view at `offset` into a buffer with a spare element on each side. */
function view(dtype: 'float32' | 'float64', values: number[], offset = 1): View {
  const data = dtype === 'float32' ? new Float32Array(values.length + 2) : new Float64Array(values.length + 2);
  data.fill(7);
  data.set(values, offset);
  return { buffer: makeCpuBuffer(dtype, data), shape: [values.length], strides: [1], offset };
}

function params(step: number, maximize: boolean): AdamStepParams {
  return { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, maximize, step };
}

/**
 * The plain step (the WebAssembly SIMD loop from 64 elements on; 40,001 spans three of its
 * chunks) against the general JavaScript loop, reached with maximize on a negated gradient: same
 * operations, so the same bits.
 */
describe('CPU Adam step', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const n of [1, 63, 64, 65, 1001, 9001, 40001]) {
      it(`the plain loop equals the general loop bit for bit (${dtype}, ${n} elements, 5 steps)`, () => {
        expect(wasmSimdAvailable()).toBe(true);
        const wave = (f: (i: number) => number) => Array.from({ length: n }, (_, i) => f(i));
        const plain = [wave(Math.cos), [], wave(() => 0), wave(() => 0)].map((v) => view(dtype, v));
        const general = [wave(Math.cos), [], wave(() => 0), wave(() => 0)].map((v) => view(dtype, v));
        for (let step = 1; step <= 5; step++) {
          // Gradients spanning tiny to large magnitudes, signs mixed, a zero among them.
          const g = wave((i) => (i === 3 ? 0 : Math.sin(i * step) * 10 ** ((i % 9) - 6)));
          plain[1] = view(dtype, g);
          general[1] = view(
            dtype,
            g.map((x) => -x),
          );
          adamStep(plain[0]!, plain[1], plain[2]!, plain[3]!, null, params(step, false));
          adamStep(general[0]!, general[1], general[2]!, general[3]!, null, params(step, true));
        }
        for (const k of [0, 2, 3]) {
          expect(Array.from(cpuData(plain[k]!))).toEqual(Array.from(cpuData(general[k]!)));
        }
        // The spare elements around each view are untouched.
        expect(cpuData(plain[0]!)[0]).toBe(7);
        expect(cpuData(plain[0]!)[n + 1]).toBe(7);
      });
    }
  }
});
