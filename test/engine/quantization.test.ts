import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { packInt8Weight, quantizedLinear, type ChooseQuantization } from '#engine/backends/cpu/wasm/int8-matmul';
import { activationQParams, quantizeValue, symmetricScale } from '#engine/quantization/qparams';
import { devices } from '../helpers/devices.ts';

const { nn } = torch;

/** PyTorch's dynamic quantized Linear, written out: uint8 activations (0…127), int8 symmetric weights. */
function referenceQLinear(x: number[][], w: number[][], b: number[], perChannel: boolean): number[][] {
  const flat = x.flat();
  const { scale: sx, zeroPoint: zx } = activationQParams(Math.min(...flat), Math.max(...flat));
  const nearbyint = (v: number) => (Math.abs(v % 1) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v));
  const q = (v: number, s: number, z: number, lo: number, hi: number) =>
    Math.min(hi, Math.max(lo, nearbyint(Math.fround(v * Math.fround(1 / s))) + z));
  const allW = w.flat();
  const sw = w.map((row) =>
    perChannel
      ? symmetricScale(Math.min(...row), Math.max(...row))
      : symmetricScale(Math.min(...allW), Math.max(...allW)),
  );
  return x.map((row) =>
    w.map((wr, n) => {
      let acc = 0;
      wr.forEach((wv, k) => (acc += (q(row[k]!, sx, zx, 0, 255) - zx) * q(wv, sw[n]!, 0, -128, 127)));
      return Math.fround(sx * sw[n]!) * acc + b[n]!;
    }),
  );
}

describe('quantization parameters (PyTorch formulas)', () => {
  it("picks fbgemm's activation scale and zero point, the guide's §7.4 example included", () => {
    expect(activationQParams(-1, 3, 0, 255)).toEqual({ scale: Math.fround(4 / 255), zeroPoint: 64 });
    expect(activationQParams(-1, 3)).toEqual({ scale: Math.fround(4 / 127), zeroPoint: 32 }); // reduce_range
    expect(activationQParams(0, 0).scale).toBe(Math.fround(0.1));
    expect(activationQParams(0.2, 0.5)).toEqual({ scale: Math.fround(0.5 / 127), zeroPoint: 0 });
  });

  it('divides the largest magnitude by 127.5 for symmetric int8 weights', () => {
    expect(symmetricScale(-0.62, 1.27)).toBe(Math.fround(1.27 / 127.5));
    expect(symmetricScale(0, 0)).toBe(2 ** -23);
  });

  // A unit weight scale and no bias: the output is the input's scale times the int32 sum (exact here).
  const sums = (x: Float32Array, M: number, choose: ChooseQuantization, w: Int8Array, N: number, K: number) =>
    Array.from(quantizedLinear(x, 0, M, choose, packInt8Weight(w, N, K), [1], null));

  it('sums the int8 products exactly (SIMD blocks, odd K, N not a multiple of 8, M past a block)', () => {
    const [M, K, N] = [133, 19, 11];
    const w = Int8Array.from({ length: N * K }, (_, i) => ((i * 37) % 256) - 128);
    const x = Float32Array.from({ length: M * K }, (_, i) => ((i * 53) % 200) - 60);
    let range: number[] = [];
    const out = sums(x, M, (min, max) => ((range = [min, max]), { scale: 1, zeroPoint: 60 }), w, N, K);
    expect(range).toEqual([-60, 139]);
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += Math.min(195, x[m * K + k]!) * w[n * K + k]!; // clamp(x + 60, 0, 255) − 60
        expect(out[m * N + n]).toBe(sum);
      }
  });

  it('gives the same sums whether every q fits 7 bits (the byte-quad gemm where it runs) or one is 128', () => {
    // q = x + 40 with x ∈ [−40, 87]: q ∈ [0, 127]; one x of 88 makes a q of 128 (the int16 gemm).
    const [M, K, N] = [133, 37, 21];
    const w = Int8Array.from({ length: N * K }, (_, i) => ((i * 101) % 256) - 128);
    const choose: ChooseQuantization = () => ({ scale: 1, zeroPoint: 40 });
    for (const top of [87, 88]) {
      const x = Float32Array.from({ length: M * K }, (_, i) => ((i * 53) % 128) - 40);
      x[5 * K + 3] = top;
      const out = sums(x, M, choose, w, N, K);
      for (let m = 0; m < M; m++)
        for (let n = 0; n < N; n++) {
          let sum = 0;
          for (let k = 0; k < K; k++) sum += x[m * K + k]! * w[n * K + k]!;
          expect(out[m * N + n]).toBe(sum);
        }
    }
  });

  it('scales the sums in float64 and rounds once to float32, per output channel, with the bias', () => {
    const [M, K, N] = [9, 16, 6];
    const w = Int8Array.from({ length: N * K }, (_, i) => ((i * 29) % 255) - 127);
    const x = Float32Array.from({ length: M * K }, (_, i) => Math.sin(i) * 3);
    const scales = Float32Array.from({ length: N }, (_, n) => 0.0123 * (n + 1));
    const bias = Float32Array.from({ length: N }, (_, n) => n / 7 - 0.3);
    const q = activationQParams(Math.min(...x), Math.max(...x));
    const y = quantizedLinear(x, 0, M, activationQParams, packInt8Weight(w, N, K), scales, bias);
    const inverse = Math.fround(1 / q.scale);
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let sum = 0;
        for (let k = 0; k < K; k++)
          sum += (quantizeValue(x[m * K + k]!, inverse, q.zeroPoint, 0, 255) - q.zeroPoint) * w[n * K + k]!;
        expect(y[m * N + n]).toBe(Math.fround(Math.fround(q.scale * scales[n]!) * sum + bias[n]!));
      }
  });

  it('keeps packed weights in the kernel memory, and copies them in again after others crowd them out', () => {
    // 20 layers of 1024 × 1024 int8 (1–2 MiB packed each) overflow the 16 MiB kept resident.
    const [K, N] = [1024, 1024];
    const layers = Array.from({ length: 20 }, (_, l) => {
      const w = Int8Array.from({ length: N * K }, (_, i) => ((i * (l + 3) * 7919) % 255) - 127);
      return { w, packed: packInt8Weight(w, N, K) };
    });
    const x = Float32Array.from({ length: K }, (_, k) => (k % 50) - 20);
    const choose: ChooseQuantization = () => ({ scale: 1, zeroPoint: 20 });
    const check = (l: number) => {
      const y = quantizedLinear(x, 0, 1, choose, layers[l]!.packed, [1], null);
      for (const n of [0, 1, 511, 1023]) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += x[k]! * layers[l]!.w[n * K + k]!;
        expect(y[n]).toBe(sum);
      }
    };
    for (const l of [0, 1, 0, ...layers.keys(), 0, 1]) check(l);
  });

  it('quantizes the input as PyTorch does: x/s in float32, ties to even, clamped, NaN skipped by the range', () => {
    // Halves round to even, the clamp bites at both ends, NaN counts as 0; one weight of 1 per column reads q − z back.
    const row = [0.25, 0.75, 1.25, -0.25, -0.75, 300, -300, NaN, 0.3 / 0.1, 7.49999]; // ×2: ties at 0.5, 1.5, 2.5
    const [M, K] = [5, row.length];
    const x = Float32Array.from({ length: M * K }, (_, i) => row[i % K]!);
    const w = Int8Array.from({ length: K * K }, (_, i) => (i % (K + 1) === 0 ? 1 : 0)); // the identity
    let range: number[] = [];
    const out = sums(x, M, (min, max) => ((range = [min, max]), { scale: 0.5, zeroPoint: 10 }), w, K, K).map(
      (v) => v * 2, // the scale, 0.5, taken back out
    );
    expect(range[0]).toBeLessThanOrEqual(-300);
    expect(range[1]).toBeGreaterThanOrEqual(300);
    const expected = row.map((v) => (Number.isNaN(v) ? 0 : quantizeValue(v, 2, 0, -10, 245)) | 0);
    expect(expected.slice(0, 7)).toEqual([0, 2, 2, 0, -2, 245, -10]);
    for (let m = 0; m < M; m++) expect(out.slice(m * K, (m + 1) * K)).toEqual(expected);
  });
});

describe("PyTorch's quantize_dynamic, worked by hand", () => {
  // The numbers follow PyTorch's documented path for nn.Linear with torch.qint8 on x86 (fbgemm):
  // - weight: default_weight_observer = MinMaxObserver(qint8, per_tensor_symmetric), so
  //   s_w = max|w| / ((127 − (−128)) / 2) = 1.27 / 127.5, z_w = 0 (torch/ao/quantization/observer.py),
  //   q_w = clamp(nearbyint(w · f32(1/s_w)), −128, 127) (fbgemm Quantize);
  // - input: torch.ao.nn.quantized.dynamic.Linear.forward calls quantized::linear_dynamic with
  //   reduce_range=True, whose fbgemm ChooseQuantizationParams(min(x, 0), max(x, 0), 0, 255) halves
  //   the range to [0, 127]: s_x = 2.5 / 127; the zero point from the end with less error,
  //   0 − (−0.5)/s_x = 25.4, nudged to 25 (fbgemm/src/QuantUtils.cc);
  // - output: y = s_x·s_w·Σ (q_x − z_x)·q_w + b in float (fbgemm's ReQuantizeForFloat, z_w = 0).
  it('gives the int8 weight, the input quantization and the output PyTorch computes', async () => {
    const float = new nn.Linear(3, 2);
    torch.noGrad(() => {
      float.weight.copy_(
        torch.tensor([
          [0.5, -1, 0.25],
          [1.27, 0, -0.635],
        ]),
      );
      float.bias!.copy_(torch.tensor([0.1, -0.2]));
    });
    const layer = (await torch.quantization.quantizeDynamic(new nn.Sequential(float))).at(
      0,
    ) as torch.nn.quantized.dynamic.Linear;
    const sw = Math.fround(Math.fround(1.27) / 127.5);
    expect(await layer.scales.toArray()).toEqual([sw]);
    // 0.5/s_w = 50.2, −1/s_w = −100.4, 0.25/s_w = 25.1; 1.27/s_w = 127.5 → 128, clamped to 127; −0.635/s_w = −63.75.
    expect(await layer.qweight.toArray()).toEqual([
      [50, -100, 25],
      [127, 0, -64],
    ]);
    expect(activationQParams(-0.5, 2)).toEqual({ scale: Math.fround(2.5 / 127), zeroPoint: 25 });
    // x/s_x = 50.8, −25.4, 101.6 → q − z = 51, −25, 102; Σ with the rows of q_w: 7600 and −51.
    const y = await layer.call(torch.tensor([[1, -0.5, 2]])).toArray();
    const step = Math.fround(Math.fround(2.5 / 127) * sw);
    expect(y).toEqual([[expect.closeTo(step * 7600 + 0.1, 6), expect.closeTo(step * -51 - 0.2, 6)]]);
    // The float layer gives 1.6 and −0.2: int8 loses 0.0098 and 0.0100 here, each ≈ 50 output steps.
    expect(step).toBeCloseTo(1.9608e-4, 8);
  });
});

describe.each(devices)('quantizeDynamic of a model on %s', (device) => {
  function mlp() {
    torch.manualSeed(1);
    return new nn.Sequential(new nn.Linear(20, 16), new nn.ReLU(), new nn.Linear(16, 5)).to(device);
  }

  it('swaps every Linear of a copy for an int8 one matching the formula; the float model is untouched', async () => {
    const model = mlp();
    const q = await torch.quantization.quantizeDynamic(model, [nn.Linear], 'qint8');
    expect(model.at(0)).toBeInstanceOf(nn.Linear);
    const layer = q.at(0) as torch.nn.quantized.dynamic.Linear;
    expect(layer).toBeInstanceOf(nn.quantized.dynamic.Linear);
    expect([layer.qweight.dtype, layer.qweight.device, layer.scales.numel()]).toEqual(['int8', 'cpu', 1]);
    expect(String(layer)).toBe(
      'Linear(in_features=20, out_features=16, dtype=torch.qint8, qscheme=torch.per_tensor_symmetric)',
    );
    torch.manualSeed(2);
    const x = torch.randn(7, 20);
    const w = (await model.at(0).namedParameters()[0]![1].toArray()) as number[][];
    const b = (await model.at(0).namedParameters()[1]![1].toArray()) as number[];
    const expected = referenceQLinear((await x.toArray()) as number[][], w, b, false);
    const got = (await layer.call(x).toArray()) as number[][];
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 5)));
    // And close to the float layer: within a few quantization steps of the activations and weights.
    const float = (await torch.noGrad(() => model.at(0).call(x.to(device))).toArray()) as number[][];
    got.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - float[i]![j]!)).toBeLessThan(0.05)));
  });

  it('quantizes per output channel with perChannelDynamicQconfig, and in place with inplace', async () => {
    const model = mlp();
    const spec = new Map([[nn.Linear, torch.quantization.perChannelDynamicQconfig]]);
    const q = await torch.quantization.quantizeDynamic(model, spec, 'qint8', { inplace: true });
    expect(q).toBe(model);
    const layer = q.at(0) as torch.nn.quantized.dynamic.Linear;
    expect([layer.qscheme, layer.scales.numel()]).toEqual(['perChannelSymmetric', 16]);
    const w = (await layer.weight().toArray()) as number[][];
    const scales = (await layer.scales.toArray()) as number[];
    // Each row spans its own int8 range: its largest magnitude maps to ±127.5 → 127 or −128.
    w.forEach((row, n) => expect([127, 128]).toContain(Math.round(Math.max(...row.map(Math.abs)) / scales[n]!)));
  });

  it('stores int8 weights: the state dict and its file are about a quarter of float32', async () => {
    const model = mlp();
    const q = await torch.quantization.quantizeDynamic(model);
    const bytes = (m: torch.nn.Module) =>
      Object.values(m.stateDict()).reduce((n, t) => n + t.numel() * t.elementSize(), 0);
    expect(bytes(q) / bytes(model)).toBeLessThan(0.3);
    const dir = mkdtempSync(join(tmpdir(), 'qsave-'));
    await torch.save(q.stateDict(), join(dir, 'q.safetensors'));
    const loaded = (await torch.load(join(dir, 'q.safetensors'))) as Record<string, torch.Tensor>;
    expect(loaded['0.qweight']!.dtype).toBe('int8');
    const again = await torch.quantization.quantizeDynamic(mlp());
    again.loadStateDict(loaded);
    const x = torch.randn(3, 20);
    expect(await again.call(x).toArray()).toEqual(await q.call(x).toArray());
    // A layer large enough for the header not to matter: the file shrinks about 4×.
    const big = new nn.Sequential(new nn.Linear(256, 128));
    await torch.save(big.stateDict(), join(dir, 'f.safetensors'));
    await torch.save((await torch.quantization.quantizeDynamic(big)).stateDict(), join(dir, 'b.safetensors'));
    expect(statSync(join(dir, 'b.safetensors')).size / statSync(join(dir, 'f.safetensors')).size).toBeLessThan(0.27);
  });

  it('names what it cannot do', async () => {
    const model = mlp();
    await expect(torch.quantization.quantizeDynamic(model, [nn.Conv2d])).rejects.toThrow(
      /nn.Linear layers only.*Conv2d/,
    );
    await expect(torch.quantization.quantizeDynamic(model, [nn.Linear], 'float16' as 'qint8')).rejects.toThrow(
      /dtype 'qint8'.*float16/,
    );
    const q = await torch.quantization.quantizeDynamic(model);
    expect(() => q.call(torch.randn(2, 7))).toThrow(/2x7.*20x16|\[2, 7\].*20x16/);
    if (device === 'webgpu') expect(() => q.call(torch.randn(2, 20, { device }))).toThrow(/on webgpu.*run on the cpu/);
  });
});
