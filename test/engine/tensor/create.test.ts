import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices, hasFloat64, widestFloat } from '../../helpers/devices.ts';
import { expectExact, expectTensor } from '../../helpers/assert.ts';

const FLOAT64_REFUSED = 'Cannot convert a float64 Tensor to webgpu: WebGPU has no float64; use .float() first.';

describe.each(devices)('creating tensors (%s)', (device) => {
  it('infers dtype as PyTorch does: bools → bool, integers → int32, otherwise float32, [] → float32', () => {
    expect(torch.tensor([true, false], { device }).dtype).toBe('bool');
    expect(torch.tensor([1, 2, 3], { device }).dtype).toBe('int32');
    expect(torch.tensor([1, 2.5], { device }).dtype).toBe('float32');
    expect(torch.tensor(3.5, { device }).dtype).toBe('float32');
    expect(torch.tensor([], { device }).dtype).toBe('float32');
    expect(torch.tensor([], { device }).shape).toEqual([0]);
  });

  it('keeps shape, ndim, numel and device', () => {
    const x = torch.tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { device },
    );
    expect(x.shape).toEqual([2, 3]);
    expect(x.ndim).toBe(2);
    expect(x.numel()).toBe(6);
    expect(x.device).toBe(device);
    expect(torch.tensor(7, { device }).shape).toEqual([]);
  });

  it('reads values back asynchronously: toArray, data, item', async () => {
    const x = torch.tensor(
      [
        [1.5, -2],
        [3, 4],
      ],
      { device },
    );
    expect(await x.toArray()).toEqual([
      [1.5, -2],
      [3, 4],
    ]);
    expect(Array.from(await x.data())).toEqual([1.5, -2, 3, 4]);
    expect(await torch.tensor([2.5], { device }).item()).toBe(2.5);
    expect(await torch.tensor([true, false], { device }).toArray()).toEqual([true, false]);
    await expect(x.item()).rejects.toThrow('a Tensor with 4 elements cannot be converted to Scalar');
  });

  it('accepts a typed array with an explicit shape', async () => {
    const x = torch.tensor(new Float32Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2], device });
    expect(x.dtype).toBe('float32');
    await expectExact(x, [
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    await expectExact(torch.tensor(new Int32Array([1, -2]), { shape: [2, 1], device }), [[1], [-2]]);
    if (hasFloat64(device)) {
      const d = torch.tensor(new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2], device });
      expect(d.dtype).toBe('float64');
      await expectExact(d, [
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
    } else {
      expect(() => torch.tensor(new Float64Array([1, 2]), { device })).toThrow(FLOAT64_REFUSED);
      // Converted first, a Float64Array is fine.
      await expectExact(torch.tensor(new Float64Array([1, 2]), { dtype: 'float32', device }), [1, 2]);
    }
    expect(() => torch.tensor(new Float32Array(5), { shape: [2, 3], device })).toThrow(
      /shape \[2, 3\] holds 6 elements but the data has 5/,
    );
    expect(() => torch.tensor([1, 2, 3], { shape: [2, 2], device })).toThrow(/holds 4 elements but the data has 3/);
  });

  it('makes zeros, ones, full, empty with sizes given separately or as an array', async () => {
    await expectExact(torch.zeros(2, 3, { device }), [
      [0, 0, 0],
      [0, 0, 0],
    ]);
    await expectExact(torch.zeros([2, 3], { device }), [
      [0, 0, 0],
      [0, 0, 0],
    ]);
    await expectExact(torch.ones([2], { dtype: 'int32', device }), [1, 1]);
    await expectExact(torch.full([2, 2], 7.5, { device }), [
      [7.5, 7.5],
      [7.5, 7.5],
    ]);
    if (hasFloat64(device)) expect(torch.zeros(2, { dtype: 'float64', device }).dtype).toBe('float64');
    else expect(() => torch.zeros(2, { dtype: 'float64', device })).toThrow(FLOAT64_REFUSED);
    expect(torch.empty(3, { device }).shape).toEqual([3]);
    expect(torch.zeros([], { device }).shape).toEqual([]);
  });

  it("full keeps the sign of zero, and a typed array passed in stays the caller's (a copy is taken)", async () => {
    // zeros skips filling its new array; −0 must still be written.
    const negZero = (await torch.full([3], -0, { device }).toArray()) as number[];
    expect(negZero.every((v) => Object.is(v, -0))).toBe(true);
    expect(((await torch.zeros(3, { device }).toArray()) as number[]).every((v) => Object.is(v, 0))).toBe(true);
    const source = new Float32Array([1, 2, 3]);
    const t = torch.tensor(source, { device });
    source[0] = 99;
    await expectExact(t, [1, 2, 3]);
    const made = torch.arange(3, { device });
    made.add_(1);
    await expectExact(torch.arange(3, { device }), [0, 1, 2]);
  });

  it("counts a made tensor's bytes, once (the CPU keeps the array it filled as the storage)", async () => {
    await torch.memory.collect();
    const before = torch.memory.allocated(device);
    torch.memory.resetPeakStats(device);
    const big = torch.ones([1 << 16], { device });
    expect(torch.memory.allocated(device) - before).toBe(4 << 16);
    expect(torch.memory.maxAllocated(device) - before).toBe(4 << 16);
    await expectExact(big.sum(), 1 << 16);
  });

  it('makes arange, linspace and eye', async () => {
    await expectExact(torch.arange(5, { device }), [0, 1, 2, 3, 4]);
    await expectExact(torch.arange(0, 10, 2, { device }), [0, 2, 4, 6, 8]);
    expect(torch.arange(0, 10, 2, { device }).dtype).toBe('int32');
    await expectTensor(torch.arange(0, 1, 0.25, { device }), [0, 0.25, 0.5, 0.75]);
    await expectTensor(torch.linspace(0, 1, 5, { device }), [0, 0.25, 0.5, 0.75, 1]);
    // One step is the start, as in torch (not the end); none is empty.
    await expectTensor(torch.linspace(2, 5, 1, { device }), [2]);
    expect(torch.linspace(2, 5, 0, { device }).shape).toEqual([0]);
    // float32 arithmetic as torch's kernel does it: step = fl((end − start)/(steps − 1)), start + fl(step·i).
    const step = Math.fround(Math.fround(1 - 0) / 6);
    expect(Array.from((await torch.linspace(0, 1, 7, { device }).toArray()) as number[])).toEqual(
      [0, 1, 2, 3, 4, 5, 6].map((i) =>
        i < 3 ? Math.fround(0 + Math.fround(step * i)) : Math.fround(1 - Math.fround(step * (6 - i))),
      ),
    );
    await expectExact(torch.eye(2, 3, { device }), [
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(() => torch.arange(0, 10, 0)).toThrow(/step must be nonzero/);
  });

  it('makes *Like tensors with the source dtype and device', () => {
    const x = torch.zeros(2, 3, { dtype: widestFloat(device), device });
    for (const y of [
      torch.zerosLike(x),
      torch.onesLike(x),
      torch.fullLike(x, 2),
      torch.randLike(x),
      torch.randnLike(x),
    ]) {
      expect([y.shape, y.dtype, y.device]).toEqual([[2, 3], widestFloat(device), device]);
    }
    const i = torch.zeros(2, { dtype: 'int32', device });
    expect([torch.onesLike(i).dtype, torch.onesLike(i).device]).toEqual(['int32', device]);
  });

  it('rejects non-integer and negative sizes with a clear message', () => {
    expect(() => torch.zeros(2.5)).toThrow(/size\[0\] must be a non-negative integer, but got 2.5/);
    expect(() => torch.ones([2, -1])).toThrow(/negative dimension -1/);
    expect(() => torch.zeros([2, Number.NaN])).toThrow(/non-negative integer/);
    expect(() => torch.rand(3, 1.5)).toThrow(/size\[1\]/);
    expect(() => torch.zeros(4).view(2.5, 2)).toThrow(/non-negative integer/);
  });

  it('rejects ragged nested arrays and non-numbers, naming where', () => {
    expect(() => torch.tensor([[1, 2], [3]])).toThrow(
      /expected sequence of length 2 at dim 1 \(got length 1 at data\[1\]\)/,
    );
    expect(() => torch.tensor([[1, 2], 3])).toThrow(
      /expected sequence of length 2 at dim 1 \(got a scalar at data\[1\]\)/,
    );
    expect(() => torch.tensor([1, [2]])).toThrow(/rectangular/);
    expect(() => torch.tensor([1, 'a'])).toThrow(/expected a number or boolean at \[1\], but got string "a"/);
  });

  it('rejects unknown dtypes and devices', () => {
    expect(() => torch.zeros(2, { dtype: 'int64' as never })).toThrow(/unknown dtype 'int64'/);
    expect(() => torch.zeros(2, { device: 'cuda' as never })).toThrow(/cuda/);
  });

  it('only floating-point tensors can require grad', () => {
    expect(() => torch.tensor([1, 2], { dtype: 'int32', requiresGrad: true, device })).toThrow(
      /Only Tensors of floating point dtype can require gradients \(got int32\)/,
    );
    expect(() => torch.zeros(2, { dtype: 'int32', device }).requiresGrad_()).toThrow(/floating point dtype/);
    expect(torch.tensor([1.5], { requiresGrad: true, device }).requiresGrad).toBe(true);
  });

  it('reads whole numbers that require grad as float32 (JavaScript writes 2.0 as 2)', async () => {
    const x = torch.tensor([2, 3], { requiresGrad: true, device });
    expect([x.dtype, x.requiresGrad]).toEqual(['float32', true]);
    expect(torch.tensor(2, { requiresGrad: true, device }).dtype).toBe('float32');
    expect(torch.tensor([2, 3], { requiresGrad: false, device }).dtype).toBe('int32');
    const y = x.pow(2).sum();
    y.backward();
    expect(await x.grad!.toArray()).toEqual([4, 6]);
  });
});

describe.each(devices)('dtypes (%s)', (device) => {
  it('stores float16 rounded to half precision (round half to even), overflowing to inf', async () => {
    const x = torch.tensor([0.1, 1 / 3, 2049, 2051, 65519, 65520, 1e-8, -0.5], { dtype: 'float16', device });
    // Hand-derived: 0.1 → 1638·2^-14, 1/3 → 1365·2^-12, 2049 is a tie between 2048 and 2050 (even
    // mantissa 2048), 2051 between 2050 and 2052 (even 2052), 65519 < 65520 (the overflow boundary),
    // 1e-8 is below half of the smallest subnormal 2^-24.
    expect(Array.from(await x.data())).toEqual([1638 / 16384, 1365 / 4096, 2048, 2052, 65504, Infinity, 0, -0.5]);
    expect(x.dtype).toBe('float16');
  });

  it('rounds float16 results of arithmetic too', async () => {
    const a = torch.tensor([1], { dtype: 'float16', device });
    expect(await a.add(2 ** -11).item()).toBe(1); // a tie: 1 + 2^-11 rounds to even (1)
    expect(await a.add(3 * 2 ** -11).item()).toBe(1 + 2 ** -9); // tie → even mantissa (1 + 2·2^-10)
    expect(await a.div(3).item()).toBe(1365 / 4096);
  });

  it('casts between dtypes: float → int truncates toward zero, nonzero → true', async () => {
    const x = torch.tensor([-2.7, -0.5, 0, 0.5, 2.7], { device });
    await expectExact(x.to('int32'), [-2, 0, 0, 0, 2]);
    await expectExact(x.to('bool'), [true, true, false, true, true]);
    await expectExact(torch.tensor([true, false], { device }).to('float32'), [1, 0]);
    if (hasFloat64(device)) expect(x.double().dtype).toBe('float64');
    else expect(() => x.double()).toThrow(FLOAT64_REFUSED);
    expect(x.half().dtype).toBe('float16');
    expect(x.int().dtype).toBe('int32');
    expect(x.float().dtype).toBe('float32');
    expect(x.to('float32')).toBe(x);
  });

  it('float32 keeps float32 precision, float64 keeps float64', async () => {
    expect(await torch.tensor([0.1], { device }).item()).toBe(Math.fround(0.1));
    if (hasFloat64(device)) expect(await torch.tensor([0.1], { dtype: 'float64', device }).item()).toBe(0.1);
    // 2^24 + 1 is not a float32.
    expect(await torch.tensor([16777217], { dtype: 'float32', device }).item()).toBe(16777216);
    expect(await torch.tensor([16777217], { dtype: 'int32', device }).item()).toBe(16777217);
  });
});

describe.each(devices)('type promotion (%s)', (device) => {
  const i = torch.tensor([1, 2], { device });
  const b = torch.tensor([true, false], { device });
  const f = torch.tensor([1.5, 2.5], { device });
  const h = torch.tensor([1.5, 2.5], { dtype: 'float16', device });
  // float64 operands exist only where the device stores float64 (not on WebGPU).
  const f64 = hasFloat64(device);
  const d = () => torch.tensor([1.5, 2.5], { dtype: 'float64', device });
  const zf64 = () => torch.tensor(2.5, { dtype: 'float64', device });

  it('int with float gives float; float32 with float64 gives float64', () => {
    expect(i.add(f).dtype).toBe('float32');
    expect(f.add(i).dtype).toBe('float32');
    if (f64) expect(f.mul(d()).dtype).toBe('float64');
    expect(h.add(f).dtype).toBe('float32');
    expect(b.add(i).dtype).toBe('int32');
    expect(b.mul(f).dtype).toBe('float32');
    expect(torch.promoteTypes('int32', 'float16')).toBe('float16');
    expect(torch.promoteTypes('bool', 'int32')).toBe('int32');
  });

  it('scalars do not widen a tensor of the same category', () => {
    expect(i.mul(2).dtype).toBe('int32');
    expect(i.mul(2.5).dtype).toBe('float32');
    expect(f.mul(2.5).dtype).toBe('float32');
    expect(h.mul(2.5).dtype).toBe('float16');
    if (f64) expect(d().add(1).dtype).toBe('float64');
    expect(b.add(1).dtype).toBe('int32');
    expect(b.add(true).dtype).toBe('bool');
  });

  it('0-d tensors count only when of a higher category (combine_categories)', () => {
    const zi = torch.tensor(3, { device });
    const zf = torch.tensor(2.5, { device });
    expect(b.add(zi).dtype).toBe('int32');
    expect(i.add(zf).dtype).toBe('float32');
    expect(h.add(zf).dtype).toBe('float16');
    expect(h.add(torch.tensor([2.5], { device })).dtype).toBe('float32');
    if (f64) {
      expect(f.add(zf64()).dtype).toBe('float32');
      expect(i.add(zf64()).dtype).toBe('float64');
      expect(h.add(zf64()).dtype).toBe('float16');
      expect(zf64().add(zi).dtype).toBe('float64');
    }
  });

  it('int / int is true division in float32', async () => {
    const q = torch.tensor([7, -7], { device }).div(torch.tensor([2, 2], { device }));
    expect(q.dtype).toBe('float32');
    await expectExact(q, [3.5, -3.5]);
    expect(torch.tensor([1], { device }).div(2).dtype).toBe('float32');
    if (f64) expect(d().div(2).dtype).toBe('float64');
  });

  it('comparisons give bool; sum of bool or int gives int32; int arithmetic stays exact', async () => {
    expect(i.lt(f).dtype).toBe('bool');
    expect(b.sum().dtype).toBe('int32');
    await expectExact(torch.tensor([2147483647], { device }).sub(2147483646), [1]);
    await expectExact(torch.tensor([3, -3], { device }).mul(torch.tensor([5, 5], { device })), [15, -15]);
  });
});
