import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as fsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { transformSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as torch from '#engine';
import * as vision from '#engine/vision';

// Every ```ts block of the guide runs as written, on the CPU (guide/07's blocks have a test of their
// own that also checks what they do, on every device). A block runs as the body of an async function
// given the names the guide's prose gives it (a model, a batch, an optimizer…), and after the earlier
// blocks of its chapter whose names it uses. A line the guide marks as failing (a comment naming an
// error, or 오류) must throw, with the message the guide quotes.

const chapters = [
  '01-overview',
  '02-tensors',
  '03-autograd',
  '04-linear-models',
  '05-neural-networks',
  '06-data',
  '08-interpretation',
];

/** Blocks (by a line they contain) that build on earlier blocks of their chapter (likewise named). */
const builtOn: [chapter: string, block: string, earlier: string[]][] = [
  ['02-tensors', 'const centered', ['const a = torch.tensor']],
  ['03-autograd', 'MyExp.apply(t)', ['class MyExp']],
  ['04-linear-models', 'kaimingUniform_', ['const fc = ']],
  ['04-linear-models', 'new torch.nn.MSELoss()', ['const X = ']],
  ['06-data', 'randomSplit(ds', ['new TensorDataset(X, y)']],
  ['06-data', 'const fast = new DataLoader', ['new TensorDataset(X, y)']],
  ['06-data', 'datasets.ImageFolder', ['new datasets.MNIST']],
];

/** The one block of `all` containing `marker`. */
function find(all: string[], marker: string): string {
  const found = all.filter((b) => b.includes(marker));
  if (found.length !== 1) throw new Error(`expected one block with ${marker}, found ${found.length}`);
  return found[0]!;
}

function blocks(chapter: string): string[] {
  const text = readFileSync(new URL(`../../guide/${chapter}.md`, import.meta.url), 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

const ERROR_LINE = /^(\s*)(.+?);\s*\/\/\s*(?:(?:Range|Type)?Error: (.*)|오류.*)$/;

/** The block as a function body: imports bound to the modules in scope, failing lines asserted. */
function prepare(code: string): string {
  return code
    .replace(/^import \* as torch from '#engine';.*$/m, '')
    .replace(/^import \{([^}]+)\} from '#engine\/vision';.*$/gm, 'const {$1} = vision;')
    .replace(/^import \{([^}]+)\} from 'node:fs\/promises';.*$/gm, 'const {$1} = fsPromises;')
    .split('\n')
    .map((line) => {
      const m = ERROR_LINE.exec(line);
      return m ? `${m[1]}throws(() => ${m[2]}, ${JSON.stringify(m[3] ?? '')});` : line;
    })
    .join('\n');
}

function throws(f: () => unknown, message: string): void {
  expect(f).toThrow(message || undefined);
}

async function run(code: string, scope: Record<string, unknown>): Promise<void> {
  const js = transformSync(`return (async () => {\n${code}\n})();`, { loader: 'ts' }).code;
  await (new Function(...Object.keys(scope), js)(...Object.values(scope)) as Promise<void>);
}

class MLP extends torch.nn.Module {
  fc1 = new torch.nn.Linear(784, 128);
  relu = new torch.nn.ReLU();
  fc2 = new torch.nn.Linear(128, 10);
  override forward(x: torch.Tensor) {
    return this.fc2.call(this.relu.call(this.fc1.call(x.view(x.shape[0], -1))));
  }
}

let dir: string;
let cwd: string;
beforeAll(async () => {
  cwd = process.cwd();
  dir = mkdtempSync(join(tmpdir(), 'torchlings-guide-'));
  // What §6's ImageFolder and image reading blocks open: data/digits/<class>/*.png.
  const mnist = new vision.datasets.MNIST({ train: false, transform: new vision.transforms.ToTensor() });
  for (let i = 0; i < 20; i++) {
    const [img, label] = (await mnist.getItem(i)) as [torch.Tensor, number];
    const folder = join(dir, 'data', 'digits', String(label));
    await fsPromises.mkdir(folder, { recursive: true });
    await vision.utils.saveImage(img, join(folder, `${i}.png`));
  }
  process.chdir(dir);
});
afterAll(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

/** The names the guide's prose gives each block, made small and real. */
function scope(chapter: string): Record<string, unknown> {
  torch.manualSeed(0);
  const model = new MLP();
  const x = torch.randn(8, 1, 28, 28);
  const y = torch.randint(0, 10, [8], { dtype: 'int32' });
  const batches = new torch.utils.data.TensorDataset(x, y);
  const N = 12;
  const P = torch.rand(N, N).add(torch.rand(N, N).t()).mul(torch.eye(N).logicalNot());
  return {
    torch,
    vision,
    fsPromises,
    throws,
    console: { log() {} },
    model,
    x,
    y,
    h: model.fc1.call(x.view(8, -1)),
    fn: (t: torch.Tensor) => t.sin(),
    logits: model.call(x),
    target: y,
    optimizer: new torch.optim.SGD(model.parameters(), { lr: 0.1 }),
    lossFn: new torch.nn.CrossEntropyLoss(),
    trainLoader: new torch.utils.data.DataLoader(batches, { batchSize: 4 }),
    testLoader: new torch.utils.data.DataLoader(batches, { batchSize: 4 }),
    valLoss: torch.tensor(0.5),
    // §6 splits a data set of 60,000 (MNIST's training set) 50,000 / 10,000.
    ...(chapter === '06-data' && { X: torch.randn(60000, 2), y: torch.randint(0, 10, [60000], { dtype: 'int32' }) }),
    transform: new vision.transforms.ToTensor(),
    path: join(dir, 'data', 'digits', '7', '0.png'),
    Image: vision.Image,
    io: vision.io,
    img: x.index(0),
    batch: x,
    N,
    P: P.div(P.sum()),
  };
}

describe.each(chapters)('guide/%s.md runs as written', (chapter) => {
  const all = blocks(chapter);
  it.each(all.map((code, i) => [i + 1, code.split('\n')[0]!.slice(0, 60), code] as const))(
    'block %i: %s',
    async (_n, _first, code) => {
      const earlier = builtOn.filter(([c, marker]) => c === chapter && code.includes(marker)).flatMap(([, , e]) => e);
      const before = earlier.map((marker) => prepare(find(all, marker)));
      await run([...before, `{\n${prepare(code)}\n}`].join('\n'), scope(chapter));
    },
  );
});
