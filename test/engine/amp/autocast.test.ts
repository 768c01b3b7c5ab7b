import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';

const { nn, F } = { nn: torch.nn, F: torch.nn.functional };

describe('bfloat16', () => {
  it('rounds to 7 mantissa bits, ties to even, with float32 range (PyTorch values)', async () => {
    const t = torch.tensor([1.00390625, 1.01171875, 3.14159, 1e38, -65504 * 16, 0.1]).bfloat16();
    expect(t.dtype).toBe('bfloat16');
    expect(t.elementSize()).toBe(2);
    expect(await t.toArray()).toEqual([1, 1.015625, 3.140625, 9.969209968386869e37, -1048576, 0.10009765625]);
  });

  it('promotes with float16 to float32, and is refused on webgpu with a reason', async () => {
    const a = torch.ones(2).bfloat16();
    expect(a.add(torch.ones(2).half()).dtype).toBe('float32');
    expect(a.add(torch.ones(2)).dtype).toBe('float32');
    expect(a.mul(3).dtype).toBe('bfloat16');
    if (devices.includes('webgpu')) expect(() => a.to('webgpu')).toThrow(/WGSL has no bfloat16/);
  });

  it('saves as safetensors BF16 and loads back bit for bit', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'bf16-')), 't.safetensors');
    const t = torch.tensor([0.1, -3.5, 1e-30, 7e37]).bfloat16();
    await torch.save({ t }, path);
    const back = ((await torch.load(path)) as { t: torch.Tensor }).t;
    expect([back.dtype, await back.toArray()]).toEqual(['bfloat16', await t.toArray()]);
  });
});

describe.each(devices)('autocast on %s', (device) => {
  const low = device === 'cpu' ? 'bfloat16' : 'float16';
  const round = (x: number) =>
    (device === 'cpu' ? torch.tensor([x]).bfloat16() : torch.tensor([x]).half())
      .toArray()
      .then((a) => (a as number[])[0]!);

  function net() {
    torch.manualSeed(0);
    return new nn.Sequential(new nn.Linear(6, 5), new nn.ReLU(), new nn.Linear(5, 3)).to(device);
  }

  it(`runs matmul/linear in ${low} and softmax, losses, reductions and norms in float32`, () => {
    const x = torch.randn(4, 6, { device });
    const y = torch.tensor([0, 2, 1, 1], { dtype: 'int32', device });
    const model = net();
    torch.amp.autocast(device, () => {
      expect(torch.isAutocastEnabled(device)).toBe(true);
      expect(torch.getAutocastDtype(device)).toBe(low);
      const h = model.at(0).call(x);
      expect(h.dtype).toBe(low);
      expect(h.relu().dtype).toBe(low); // not on either list: runs in its input's dtype
      expect(x.matmul(torch.randn(6, 2, { device })).dtype).toBe(low);
      expect(h.softmax(1).dtype).toBe('float32');
      expect(h.logSoftmax(1).dtype).toBe('float32');
      expect(h.sum().dtype).toBe('float32');
      expect(h.mean(0).dtype).toBe('float32');
      expect(F.crossEntropy(model.call(x), y).dtype).toBe('float32');
      expect(F.mseLoss(h, torch.zeros(4, 5, { device })).dtype).toBe('float32');
      expect(F.layerNorm(h, [5]).dtype).toBe('float32');
    });
    expect(torch.isAutocastEnabled(device)).toBe(false);
    expect(model.call(x).dtype).toBe('float32');
  });

  it('computes a linear layer from inputs and weights rounded to the low dtype', async () => {
    const x = torch.randn(3, 6, { device });
    const layer = net().at(0) as torch.nn.Linear;
    const out = (await torch.amp.autocast(device, () => layer.call(x)).toArray()) as number[][];
    const xs = (await x.toArray()) as number[][];
    const w = (await layer.weight.toArray()) as number[][];
    const b = (await layer.bias!.toArray()) as number[];
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 5; j++) {
        let dot = 0;
        for (let k = 0; k < 6; k++) dot += (await round(xs[i]![k]!)) * (await round(w[j]![k]!));
        // PyTorch's addmm: the (rounded) bias added to the float32 product, then one rounding to the
        // low dtype (rounding the product first would round twice, 1 ulp off in about a quarter).
        const expected = await round(dot + (await round(b[j]!)));
        expect(out[i]![j]).toBeCloseTo(expected, device === 'cpu' ? 6 : 2);
      }
    }
  });

  it("folds a contiguous 3-D input into that one addmm, as PyTorch's linear does", async () => {
    const x = torch.randn(4, 8, 6, { device });
    const layer = net().at(0) as torch.nn.Linear;
    const [out, flat] = torch.amp.autocast(device, () => [layer.call(x), layer.call(x.reshape([32, 6]))]);
    expect(out.gradFn!.name).toBe('ViewBackward0');
    expect(out.gradFn!.next[0]).toMatchObject({ node: { name: 'AddmmBackward0' } });
    expect(await out.reshape([32, 5]).data()).toEqual(await flat!.data());
  });

  it('sends float32 gradients into the float32 parameters, close to a float32 run', async () => {
    const x = torch.randn(8, 6, { device });
    const y = torch.tensor([0, 1, 2, 0, 1, 2, 0, 1], { dtype: 'int32', device });
    const a = net();
    const b = net();
    F.crossEntropy(a.call(x), y).backward();
    torch.amp.autocast(device, () => F.crossEntropy(b.call(x), y)).backward();
    for (const [pa, pb] of a.parameters().map((p, i) => [p, b.parameters()[i]!] as const)) {
      expect(pb.grad!.dtype).toBe('float32');
      const ga = (await pa.grad!.data()) as Float32Array;
      const gb = (await pb.grad!.data()) as Float32Array;
      ga.forEach((v, i) => expect(Math.abs(v - gb[i]!)).toBeLessThan(0.03 * Math.max(1, Math.abs(v))));
    }
  });

  it('nests: enabled: false is a float32 island, and an async region lasts until it settles', async () => {
    const x = torch.randn(2, 6, { device });
    const layer = net().at(0);
    torch.amp.autocast(device, () => {
      expect(torch.amp.autocast(device, () => layer.call(x), { enabled: false }).dtype).toBe('float32');
      expect(layer.call(x).dtype).toBe(low);
    });
    const later = torch.amp.autocast(device, async () => {
      await new Promise((r) => setTimeout(r, 5));
      return layer.call(x);
    });
    expect(layer.call(x).dtype).toBe('float32'); // the caller's context is not in the region
    expect((await later).dtype).toBe(low);
    expect(torch.autocast(device, () => layer.call(x)).dtype).toBe(low); // torch.autocast is the same
  });

  it('names what is wrong: the device type, the dtype, an option', () => {
    expect(() => torch.amp.autocast('cuda' as torch.Device, () => 0)).toThrow(
      /unsupported autocast device_type 'cuda'/,
    );
    expect(() => torch.amp.autocast('webgpu', () => 0, { dtype: 'bfloat16' })).toThrow(/float16.*WGSL has no bfloat16/);
    expect(() => torch.amp.autocast('cpu', () => 0, { dtype: 'float32' })).toThrow(
      /bfloat16 and float16, but got float32/,
    );
    expect(() => torch.amp.autocast('cpu', () => 0, { dtyp: 'float16' } as object)).toThrow(
      /unexpected option\(s\) dtyp/,
    );
  });
});
