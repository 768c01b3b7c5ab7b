import { describe, expect, it, onTestFinished } from 'vitest';
import type { AdamStepParams, View } from '../../engine/backend/types.ts';
import { cpuData, makeCpuBuffer } from '../../engine/backends/cpu/buffer.ts';
import { adamStep, fma32 } from '../../engine/backends/cpu/optim.ts';
import { emulateFusedMadd, fusedMaddRoundsOnce } from '../../engine/backends/cpu/wasm/adam.ts';
import { wasmSimdAvailable } from '../../engine/backends/cpu/wasm/matmul.ts';
import * as torch from '#engine';
import FIXTURE from '../fixtures/pytorch/adam.json' with { type: 'json' };

/** A [n] view at `offset` into a buffer with a spare element on each side. */
function view(dtype: 'float32' | 'float64', values: ArrayLike<number>, offset = 1): View {
  const data = dtype === 'float32' ? new Float32Array(values.length + 2) : new Float64Array(values.length + 2);
  data.fill(7);
  data.set(values, offset);
  return { buffer: makeCpuBuffer(dtype, data), shape: [values.length], strides: [1], offset };
}

/** A [n] view of a buffer of exactly those elements (the layout zerosLike gives optimizer state). */
function whole(values: ArrayLike<number>): View {
  return {
    buffer: makeCpuBuffer('float32', Float32Array.from(values)),
    shape: [values.length],
    strides: [1],
    offset: 0,
  };
}

/** The view's elements, without the spare ones. */
function elements(v: View): number[] {
  return Array.from(cpuData(v).subarray(v.offset, v.offset + v.shape[0]!));
}

function params(step: number, maximize: boolean): AdamStepParams {
  return { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, decoupledWeightDecay: false, maximize, step };
}

/**
 * The plain step (the WebAssembly SIMD loop from 64 elements on; 40,001 spans three of its
 * chunks) against the loop with maximize on a negated gradient: same operations, so the same bits.
 */
describe('CPU Adam step', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    for (const n of [1, 63, 64, 65, 1001, 9001, 40001]) {
      it(`the plain loop equals the maximizing loop bit for bit (${dtype}, ${n} elements, 5 steps)`, () => {
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

const floats = (b64: string): Float32Array => {
  const bytes = Buffer.from(b64, 'base64');
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
};

/** The kernel's multiply-adds as this machine runs them (relaxed_madd where it rounds once), then emulated. */
const MADDS = [
  ['relaxed_madd', false],
  ['emulated', true],
] as const;

/**
 * adam.json: PyTorch 1.13's own float32 Adam/AdamW, twelve steps of each option, pinned bit for bit.
 * 259 elements run the WebAssembly kernel (with a ragged last group of four) with each kind of
 * multiply-add, the state staged beside p and g (views with a spare element first) or moved into the
 * kernel's memory (whole buffers); the first 40 run the JavaScript loop. Each element's update is
 * independent of the others, so a prefix is PyTorch's too.
 */
describe("CPU Adam step gives PyTorch's float32 bits", () => {
  const param = floats(FIXTURE.param);
  const grads = floats(FIXTURE.grads);
  const n = param.length;
  it('relaxed_madd rounds once on this machine (else the first kernel runs are emulated too)', () => {
    expect(fusedMaddRoundsOnce()).toBe(true);
  });
  const runs = [
    ...MADDS.flatMap(([madd, emulated]) => [true, false].map((staged) => ({ size: n, madd, emulated, staged }))),
    { size: 40, madd: 'JavaScript', emulated: false, staged: false },
  ];
  for (const [name, c] of Object.entries(FIXTURE.configs)) {
    for (const { size, madd, emulated, staged } of runs) {
      const how = `${size} elements, ${madd}${size === n ? (staged ? ', state staged' : ', state moved') : ''}`;
      it(`${name}: ${c.optimizer} ${JSON.stringify(c.options)} (${how})`, () => {
        emulateFusedMadd(emulated);
        onTestFinished(() => emulateFusedMadd(false));
        const o: { lr: number; betas?: number[]; eps?: number; weight_decay?: number; maximize?: boolean } = c.options;
        const amsgrad = 'max_exp_avg_sq' in c;
        const adamw = c.optimizer === 'AdamW';
        const make = (values: ArrayLike<number>) => (staged ? view('float32', values) : whole(values));
        const state = [param.subarray(0, size), [], new Float32Array(size), new Float32Array(size)].map(make);
        const x = amsgrad ? make(new Float32Array(size)) : null;
        for (let step = 1; step <= FIXTURE.steps; step++) {
          const g = view('float32', grads.subarray((step - 1) * n, (step - 1) * n + size));
          adamStep(state[0]!, g, state[2]!, state[3]!, x, {
            lr: o.lr,
            beta1: o.betas?.[0] ?? 0.9,
            beta2: o.betas?.[1] ?? 0.999,
            eps: o.eps ?? 1e-8,
            weightDecay: o.weight_decay ?? (adamw ? 1e-2 : 0),
            decoupledWeightDecay: adamw,
            maximize: o.maximize ?? false,
            step,
          });
        }
        const want = (b64: string) => Array.from(floats(b64).subarray(0, size));
        expect(elements(state[0]!)).toEqual(want(c.param));
        expect(elements(state[2]!)).toEqual(want(c.exp_avg));
        expect(elements(state[3]!)).toEqual(want(c.exp_avg_sq));
        if (x && 'max_exp_avg_sq' in c) expect(elements(x)).toEqual(want(c.max_exp_avg_sq));
      });
    }
  }
});

/**
 * The cases where rounding the double-precision sum to float32 rounds twice the wrong way: x·y + z
 * lands, in double precision, exactly halfway between two float32 values, and ties to even, where
 * the exact sum lies past the halfway point (PyTorch's fused multiply-add rounds once).
 */
describe('float32 fused multiply-add, rounded once', () => {
  const halfUlpAbove1 = 1 + 2 ** -23;
  it('a tiny addend past the product (24929 · 673·2⁻²⁴ = 1 + 2⁻²⁴, a halfway point)', () => {
    expect(fma32(24929, 673 * 2 ** -24, 2 ** -80)).toBe(halfUlpAbove1);
    expect(fma32(24929, 673 * 2 ** -24, -(2 ** -80))).toBe(1);
  });
  it('a product past the halfway point above an addend of 1 (8384513 · 8392705 = 2⁴⁶ + 1)', () => {
    expect(fma32(8384513 * 2 ** -35, 8392705 * 2 ** -35, 1)).toBe(halfUlpAbove1);
  });
  /**
   * exp_avg.mul_(β1).add_(g, alpha=1 − β1) with 1 − β1 = 673·2⁻²⁴ and g = 24929 from m = ±2⁻⁸⁰: PyTorch
   * 1.13 gives 1 + 2⁻²³ and 1 (checked with it), in every lane of the kernel's groups of four and
   * the JavaScript loop's.
   */
  it.each(MADDS)(
    'the first moment on such lanes, in the WebAssembly kernel (%s) and the JavaScript loop',
    (_, emulated) => {
      emulateFusedMadd(emulated);
      onTestFinished(() => emulateFusedMadd(false));
      for (const n of [70, 10]) {
        const m0 = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -1 : 1) * 2 ** -80);
        const state = [new Float32Array(n).fill(1), new Float32Array(n).fill(24929), m0, new Float32Array(n)].map((v) =>
          view('float32', v),
        );
        adamStep(state[0]!, state[1]!, state[2]!, state[3]!, null, { ...params(2, false), beta1: 1 - 673 * 2 ** -24 });
        expect(elements(state[2]!)).toEqual(m0.map((m) => (m < 0 ? 1 : halfUlpAbove1)));
      }
    },
  );
});

/**
 * Through torch.optim: the state tensors' arrays move into the kernel's memory on the first step;
 * the state dict reads them there, and a new optimizer loading it (copies, moved again on its first
 * step) carries on with PyTorch's bits.
 */
it("torch.optim.Adam's state, moved into the kernel's memory, reads and reloads as PyTorch's", async () => {
  const c = FIXTURE.configs.l2_amsgrad;
  const grads = floats(FIXTURE.grads);
  const n = floats(FIXTURE.param).length;
  const p = torch.tensor(Array.from(floats(FIXTURE.param))).requiresGrad_();
  const options = { lr: 0.1, betas: [0.8, 0.9] as const, weightDecay: 0.1, amsgrad: true };
  let opt = new torch.optim.Adam([p], options);
  for (let step = 1; step <= FIXTURE.steps; step++) {
    p.grad = torch.tensor(Array.from(grads.subarray((step - 1) * n, step * n)));
    opt.step();
    if (step === 6) {
      const saved = opt.stateDict();
      opt = new torch.optim.Adam([p], options);
      opt.loadStateDict(saved);
    }
  }
  const state = opt.stateDict().state[0]!;
  const read = async (t: unknown) => Array.from(await (t as torch.Tensor).data());
  expect(await read(p.detach())).toEqual(Array.from(floats(c.param)));
  expect(await read(state.expAvg)).toEqual(Array.from(floats(c.exp_avg)));
  expect(await read(state.expAvgSq)).toEqual(Array.from(floats(c.exp_avg_sq)));
  expect(await read(state.maxExpAvgSq)).toEqual(Array.from(floats(c.max_exp_avg_sq)));
});
