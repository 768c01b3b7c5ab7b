import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '#engine';

const dir = mkdtempSync(join(tmpdir(), 'torchlings-save-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A safetensors file assembled by the spec's rules, independently of the engine's encoder. */
function specFile(header: string, data: number[]): Uint8Array {
  const padded = header + ' '.repeat((8 - (header.length % 8)) % 8);
  const out = new Uint8Array(8 + padded.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded.length), true);
  out.set(new TextEncoder().encode(padded), 8);
  out.set(data, 8 + padded.length);
  return out;
}

const le = (arr: Float32Array | Float64Array | Int32Array | Uint16Array) => [...new Uint8Array(arr.buffer)];

describe('torch.save / torch.load', () => {
  it('round-trips every dtype with its shape and values', async () => {
    const state = {
      f32: torch.tensor([
        [1.5, -2],
        [3.25, 1e-8],
      ]),
      f64: torch.tensor([Math.PI, -1e300], { dtype: 'float64' }),
      f16: torch.tensor([0.1, 65504, -0.5], { dtype: 'float16' }),
      i32: torch.tensor([[-(2 ** 31), 2 ** 31 - 1, 7]]),
      b: torch.tensor([true, false, true]),
      scalar: torch.tensor(4.5),
      empty: torch.zeros([0, 3]),
      view: torch.arange(0, 6).reshape(2, 3).t(),
    };
    const path = join(dir, 'all.safetensors');
    await torch.save(state, path);
    const back = (await torch.load(path)) as Record<string, torch.Tensor>;
    expect(Object.keys(back).sort()).toEqual(Object.keys(state).sort());
    for (const [k, t] of Object.entries(state)) {
      expect([k, back[k]!.dtype, back[k]!.shape]).toEqual([k, t.dtype, t.shape]);
      expect(await back[k]!.toArray()).toEqual(await t.toArray());
    }
  });

  it('writes exactly the bytes the safetensors spec prescribes', async () => {
    const path = join(dir, 'bytes.safetensors');
    await torch.save(
      { b: torch.tensor([1, 2]), a: torch.tensor([0.5]), h: torch.tensor([1], { dtype: 'float16' }) },
      path,
    );
    // Entries sorted by dtype (widest first), then name; offsets tile the data; no metadata.
    const header =
      '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"I32","shape":[2],"data_offsets":[4,12]},' +
      '"h":{"dtype":"F16","shape":[1],"data_offsets":[12,14]}}';
    const expected = specFile(header, [
      ...le(Float32Array.of(0.5)),
      ...le(Int32Array.of(1, 2)),
      ...le(Uint16Array.of(0x3c00)),
    ]);
    expect([...readFileSync(path)]).toEqual([...expected]);
  });

  it('loads a file built by hand from the spec, including dtypes PyTorch writes (I64, BF16, U8)', async () => {
    const i64 = new BigInt64Array([-3n, 5n]);
    const header =
      '{"__metadata__":{"format":"pt"},"w":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},' +
      '"n":{"dtype":"I64","shape":[2],"data_offsets":[16,32]},"m":{"dtype":"BOOL","shape":[2],"data_offsets":[32,34]},' +
      '"bf":{"dtype":"BF16","shape":[1],"data_offsets":[34,36]},"u":{"dtype":"U8","shape":[1],"data_offsets":[36,37]}}';
    const file = specFile(header, [
      ...le(Float64Array.of(1.25, -2)),
      ...new Uint8Array(i64.buffer),
      1,
      0,
      0x80,
      0x3f,
      200,
    ]);
    const path = join(dir, 'hand.safetensors');
    writeFileSync(path, file);
    const back = (await torch.load(path)) as Record<string, torch.Tensor>;
    expect([back.w!.dtype, await back.w!.toArray()]).toEqual(['float64', [1.25, -2]]);
    expect([back.n!.dtype, await back.n!.toArray()]).toEqual(['int32', [-3, 5]]);
    expect([back.m!.dtype, await back.m!.toArray()]).toEqual(['bool', [true, false]]);
    expect([back.bf!.dtype, await back.bf!.toArray()]).toEqual(['bfloat16', [1]]);
    expect(await back.u!.toArray()).toEqual([200]);
  });

  it('keeps nested state (an optimizer-like state dict) in __metadata__ and rebuilds it', async () => {
    const state = {
      state: new Map([[0, { step: 3, expAvg: torch.ones(2) }]]),
      paramGroups: [{ lr: 1e-3, betas: [0.9, 0.999], params: [0], amsgrad: false, best: Infinity, name: null }],
    };
    const path = join(dir, 'opt.safetensors');
    await torch.save(state, path);
    const back = (await torch.load(path)) as {
      state: Record<string, { step: number; expAvg: torch.Tensor }>;
      paramGroups: unknown[];
    };
    expect(back.paramGroups).toEqual(state.paramGroups);
    expect(back.state['0']!.step).toBe(3);
    expect(await back.state['0']!.expAvg.toArray()).toEqual([1, 1]);
    // The tensor is a plain safetensors entry that other tools see under its dotted name.
    expect(readFileSync(path).toString('latin1')).toContain('"state.0.expAvg":{"dtype":"F32"');
  });

  it('saves a module state dict and loads it back into a fresh module', async () => {
    torch.manualSeed(0);
    const model = new torch.nn.Sequential(new torch.nn.Linear(3, 2), new torch.nn.ReLU());
    const path = join(dir, 'model.safetensors');
    await torch.save(model.stateDict(), path);
    const fresh = new torch.nn.Sequential(new torch.nn.Linear(3, 2), new torch.nn.ReLU());
    fresh.loadStateDict((await torch.load(path)) as Record<string, torch.Tensor>);
    const x = torch.randn(4, 3);
    expect(await fresh.call(x).toArray()).toEqual(await model.call(x).toArray());
  });

  it('saves an Adam state dict and restores it into a fresh optimizer', async () => {
    const model = new torch.nn.Linear(3, 2);
    const opt = new torch.optim.Adam(model.parameters(), { lr: 0.01 });
    torch.nn.functional.mseLoss(model.call(torch.ones(4, 3)), torch.zeros(4, 2)).backward();
    opt.step();
    const path = join(dir, 'adam.safetensors');
    await torch.save(opt.stateDict(), path);
    const fresh = new torch.optim.Adam(model.parameters(), { lr: 0.5 });
    fresh.loadStateDict((await torch.load(path)) as never);
    const [saved, restored] = [opt.stateDict(), fresh.stateDict()];
    expect(restored.paramGroups).toEqual(saved.paramGroups);
    const avg = (sd: typeof saved) => (sd.state as Record<string, { expAvg: torch.Tensor }>)['0']!.expAvg.toArray();
    expect(await avg(restored)).toEqual(await avg(saved));
  });

  it('says clearly what it cannot save or read', async () => {
    await expect(torch.save({ f: () => 1 } as never, join(dir, 'x'))).rejects.toThrow("cannot save 'f'");
    await expect(torch.save({ a: { b: torch.ones(1) }, 'a.b': torch.ones(1) }, join(dir, 'x'))).rejects.toThrow(
      "same name 'a.b'",
    );
    await expect(torch.load(join(dir, 'missing.safetensors'))).rejects.toThrow(/cannot read .*missing\.safetensors/);
  });

  it('refuses a missing path before writing, and a failed save leaves no temporary file', async () => {
    const cwd = readdirSync('.');
    await expect(torch.save({ w: torch.ones(1) }, undefined as never)).rejects.toThrow(
      'torch.save: path must be a file path (a non-empty string), got undefined',
    );
    expect(readdirSync('.')).toEqual(cwd);
    const intoMissingDir = join(dir, 'no-such-dir', 'model.safetensors');
    await expect(torch.save({ w: torch.ones(1) }, intoMissingDir)).rejects.toThrow(/ENOENT/);
    const intoDir = join(dir, 'a-dir');
    mkdirSync(intoDir);
    await expect(torch.save({ w: torch.ones(1) }, intoDir)).rejects.toThrow(/EISDIR|EEXIST|ENOTEMPTY|EPERM/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
