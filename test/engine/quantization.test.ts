import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { packInt8Weight, quantizedMatmul } from '#engine/backends/cpu/wasm/int8-matmul';
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

  it('sums the int8 products exactly (SIMD blocks, odd K, N not a multiple of 8, M past a block)', () => {
    const [M, K, N] = [133, 19, 11];
    const w = Int8Array.from({ length: N * K }, (_, i) => ((i * 37) % 256) - 128);
    const x = Float32Array.from({ length: M * K }, (_, i) => ((i * 53) % 200) - 60);
    const out = new Int32Array(M * N);
    let range: number[] = [];
    const chosen = quantizedMatmul(
      x,
      0,
      M,
      (min, max) => ((range = [min, max]), { scale: 1, zeroPoint: 60 }),
      packInt8Weight(w, N, K),
      out,
    );
    expect(range).toEqual([-60, 139]);
    expect(chosen).toEqual({ scale: 1, zeroPoint: 60 });
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += Math.min(195, x[m * K + k]!) * w[n * K + k]!; // clamp(x + 60, 0, 255) − 60
        expect(out[m * N + n]).toBe(sum);
      }
  });

  it('quantizes the input as PyTorch does: x/s in float32, ties to even, clamped, NaN skipped by the range', () => {
    // Halves round to even, the clamp bites at both ends, NaN counts as 0; one weight of 1 per column reads q − z back.
    const row = [0.25, 0.75, 1.25, -0.25, -0.75, 300, -300, NaN, 0.3 / 0.1, 7.49999]; // ×2: ties at 0.5, 1.5, 2.5
    const [M, K] = [5, row.length];
    const x = Float32Array.from({ length: M * K }, (_, i) => row[i % K]!);
    const w = Int8Array.from({ length: K * K }, (_, i) => (i % (K + 1) === 0 ? 1 : 0)); // the identity
    const out = new Int32Array(M * K);
    let range: number[] = [];
    quantizedMatmul(
      x,
      0,
      M,
      (min, max) => ((range = [min, max]), { scale: 0.5, zeroPoint: 10 }),
      packInt8Weight(w, K, K),
      out,
    );
    expect(range[0]).toBeLessThanOrEqual(-300);
    expect(range[1]).toBeGreaterThanOrEqual(300);
    const expected = row.map((v) => (Number.isNaN(v) ? 0 : quantizeValue(v, 2, 0, -10, 245)) | 0);
    expect(expected.slice(0, 7)).toEqual([0, 2, 2, 0, -2, 245, -10]);
    for (let m = 0; m < M; m++) expect(Array.from(out.subarray(m * K, (m + 1) * K))).toEqual(expected);
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
