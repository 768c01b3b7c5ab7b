import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../helpers/devices.ts';

// The guide's §7 code runs as written: each block is taken from guide/07-performance.md (so an edit
// there is tested), compiled from TypeScript, and run with the names it assumes (a model, a loader,
// a loss, an optimizer) bound to small real ones on each device.

const guide = readFileSync(new URL('../../guide/07-performance.md', import.meta.url), 'utf8');

/** The ```ts block of the guide that contains `marker` (exactly one must). */
function snippet(marker: string): string {
  const blocks = [...guide.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.includes(marker));
  if (blocks.length !== 1) throw new Error(`expected one ts block with ${marker} in the guide, found ${blocks.length}`);
  return blocks[0]!;
}

/** Runs a block as the body of an async function of `scope`'s names; returns what `result` names. */
async function run(code: string, scope: Record<string, unknown>, result: string): Promise<unknown> {
  const js = transformSync(`return (async () => {\n${code}\nreturn ${result};\n})();`, { loader: 'ts' }).code;
  return new Function(...Object.keys(scope), js)(...Object.values(scope)) as Promise<unknown>;
}

describe.each(devices)('guide §7 snippets on %s', (device) => {
  function setup() {
    torch.manualSeed(0);
    const model = new torch.nn.Sequential(
      new torch.nn.Linear(8, 16),
      new torch.nn.ReLU(),
      new torch.nn.Linear(16, 3),
    ).to(device);
    const x = torch.randn(32, 8, { device });
    const y = torch.randint(0, 3, [32], { dtype: 'int32', device });
    const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(x, y), { batchSize: 8 });
    const optimizer = new torch.optim.SGD(model.parameters(), { lr: 0.1 });
    return { torch, model, loader, optimizer, lossFn: new torch.nn.CrossEntropyLoss(), x };
  }

  it('§7.2 autocast + GradScaler trains, and S stays at 2¹⁶ when nothing overflows', async () => {
    const scope = setup();
    const before = await scope.model.parameters()[0]!.clone().data();
    const scaler = (await run(snippet('new torch.amp.GradScaler()'), scope, 'scaler')) as torch.amp.GradScaler;
    expect(scaler.getScale()).toBe(65536);
    expect(await scope.model.parameters()[0]!.data()).not.toEqual(before);
  });

  it("§7.6 torch.compile gives eager's outputs and trains the model's own parameters", async () => {
    const scope = setup();
    const y = torch.randint(0, 3, [32], { dtype: 'int32', device });
    const before = await scope.model.parameters()[0]!.clone().data();
    const [eager, fast] = (await run(
      snippet('torch.compile(model)'),
      { ...scope, y },
      '[eager, fast]',
    )) as torch.Tensor[];
    const [got, want] = [Array.from(await fast!.data()), Array.from(await eager!.data())];
    // Bit for bit on the CPU; a shader compiler may fuse a multiply-add (API.md, torch.compile).
    if (device === 'cpu') expect(got).toEqual(want);
    else got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    expect(await scope.model.parameters()[0]!.data()).not.toEqual(before);
  });

  it('§7.1 gradient accumulation runs', async () => {
    const scope = setup();
    await run(snippet('accumulation_steps'), scope, 'i');
    expect(scope.model.parameters()[0]!.grad).toBeNull(); // 4 micro-batches = one step, then zeroGrad
  });

  it('§7.4 quantizeDynamic gives an int8 model whose logits are close to the float ones', async () => {
    const scope = setup();
    const x = await scope.x.toAsync('cpu'); // quantized models run on the cpu, as in PyTorch
    const logits = (await run(snippet('quantizeDynamic'), { ...scope, x }, 'logits')) as torch.Tensor;
    const float = await torch.noGrad(() => scope.model.call(scope.x)).data();
    const q = await logits.data();
    q.forEach((v, i) => expect(Math.abs(v - float[i]!)).toBeLessThan(0.05));
  });
});
