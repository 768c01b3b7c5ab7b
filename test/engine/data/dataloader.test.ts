import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { cpuMs } from '../../../graders/cli/run-exercise.ts';
import { transforms } from '#engine/vision';
import { NoisyPoints, Scale, Sealed, Squares } from './datasets-fixture.ts';

const { DataLoader, TensorDataset } = torch.utils.data;

/** The dataset indices of every batch of one epoch (items of an arange dataset are their index). */
async function epoch(loader: AsyncIterable<torch.Tensor[]>): Promise<number[][]> {
  const out: number[][] = [];
  for await (const [, y] of loader) out.push((await y!.toArray()) as number[]);
  return out;
}

function indexDataset(n: number) {
  return new TensorDataset(
    torch
      .arange(0, 2 * n)
      .reshape(n, 2)
      .float(),
    torch.arange(0, n),
  );
}

const config = fc.record({
  n: fc.integer({ min: 0, max: 40 }),
  batchSize: fc.integer({ min: 1, max: 12 }),
  shuffle: fc.boolean(),
  dropLast: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 }),
});

describe('DataLoader', () => {
  it('visits every index exactly once per epoch, in full batches but maybe the last', async () => {
    await fc.assert(
      fc.asyncProperty(config, async ({ n, batchSize, shuffle, dropLast, seed }) => {
        const loader = new DataLoader(indexDataset(n), {
          batchSize,
          shuffle,
          dropLast,
          generator: new torch.Generator(seed),
        });
        const got = await epoch(loader);
        expect(got.length).toBe(loader.length);
        expect(loader.length).toBe(dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize));
        got.forEach((b, i) =>
          expect(b.length).toBe(dropLast || i < got.length - 1 || n % batchSize === 0 ? batchSize : n % batchSize),
        );
        const seen = got.flat();
        const expected = dropLast ? got.length * batchSize : n;
        expect(seen.length).toBe(expected);
        expect(new Set(seen).size).toBe(expected);
        if (!shuffle) expect(seen).toEqual(Array.from({ length: expected }, (_, i) => i));
        if (!dropLast) expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
      { numRuns: 60 },
    );
  });

  it('shuffles the same way for the same seed, and differently in the next epoch', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 }), async (seed) => {
        const run = async () => {
          torch.manualSeed(seed);
          const loader = new DataLoader(indexDataset(30), { batchSize: 4, shuffle: true });
          return [await epoch(loader), await epoch(loader)];
        };
        const [first, second] = await run();
        expect(await run()).toEqual([first, second]);
        expect(second).not.toEqual(first);
      }),
      { numRuns: 20 },
    );
  });

  it('draws from its own generator only, when given one', async () => {
    const order = async () => {
      torch.manualSeed(Math.floor(Math.random() * 1000)); // the default generator must not matter
      return epoch(
        new DataLoader(indexDataset(20), { batchSize: 5, shuffle: true, generator: new torch.Generator(7) }),
      );
    };
    expect(await order()).toEqual(await order());
  });

  it('collates per-item datasets and names the dataset index of an item that does not fit', async () => {
    const batches: unknown[] = [];
    for await (const [x, y] of new DataLoader(new Squares(5), { batchSize: 2 }))
      batches.push([await x.toArray(), y.dtype, await y.toArray()]);
    expect(batches[0]).toEqual([
      [
        [0, 0],
        [1, 1],
      ],
      'int32',
      [0, 1],
    ]);
    expect(batches[2]).toEqual([[[4, 16]], 'int32', [4]]);

    const loader = new DataLoader(new Squares(20, 17), { batchSize: 8 });
    await expect(epoch(loader as never)).rejects.toThrow(
      'stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1 in [0] (dataset index 17)',
    );
  });

  it('rejects bad options as PyTorch does', () => {
    const ds = indexDataset(3);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/batch_size should be a positive integer/);
    expect(() => new DataLoader(ds, { numWorkers: -1 })).toThrow(/num_workers/);
    expect(() => new DataLoader(ds, { prefetchFactor: 2 })).toThrow(/prefetch_factor/);
    expect(() => new DataLoader(ds, { persistentWorkers: true })).toThrow(
      /persistent_workers option needs numWorkers > 0/,
    );
  });
});

// Starting a worker (tsx, then the engine) takes about a second of CPU, much longer on a busy machine:
// the first test starts six (15 s of a 30 s limit with this file alone at load 16), and the seven
// starts of "copies it into each worker" below took over 120 s at load 18 beside a full npm test.
// The limit is only there to catch a hang, so it leaves room for the busiest machine.
const WORKER_TESTS_MS = 400_000;

describe('DataLoader with worker threads', { timeout: WORKER_TESTS_MS }, () => {
  it('yields exactly the batches of numWorkers: 0, in order', async () => {
    const cases = [
      { dataset: indexDataset(23), options: { batchSize: 4, shuffle: true, dropLast: false } },
      { dataset: new Squares(17), options: { batchSize: 3, shuffle: true, dropLast: true, prefetchFactor: 1 } },
    ] as const;
    for (const { dataset, options } of cases) {
      const read = async (numWorkers: number) => {
        torch.manualSeed(3);
        const loader = new DataLoader(dataset as torch.utils.data.Dataset<unknown[]>, {
          ...options,
          numWorkers,
          ...(numWorkers ? {} : { prefetchFactor: undefined }),
        });
        const out: unknown[] = [];
        for await (const batch of loader)
          out.push(await Promise.all((batch as torch.Tensor[]).map((t) => t.toArray())));
        return out;
      };
      expect(await read(3)).toEqual(await read(0));
    }
  });

  it('runs a custom collateFn in the main thread over samples made in workers', async () => {
    const collateFn = (samples: [torch.Tensor, number][]) => samples.map(([, i]) => i).join(',');
    const got: string[] = [];
    for await (const s of new DataLoader(new Squares(7), { batchSize: 3, numWorkers: 2, collateFn })) got.push(s);
    expect(got).toEqual(['0,1,2', '3,4,5', '6']);
  });

  it('reports a worker-side error with the dataset index', async () => {
    await expect(
      epoch(new DataLoader(new Squares(10, -1, 6), { batchSize: 4, numWorkers: 2 }) as never),
    ).rejects.toThrow('DataLoader worker 1: dataset.getItem(6) failed: item 6 is broken');
    await expect(epoch(new DataLoader(new Squares(10, 9), { batchSize: 4, numWorkers: 2 }) as never)).rejects.toThrow(
      /at entry 1 in \[0\] \(dataset index 9\)/,
    );
  });

  it('does not keep the process alive after a loop breaks early or an iterator is dropped', async () => {
    // A child process, since only its exit shows whether a worker still holds the event loop. Its
    // start (tsx, the engine, two workers) is as slow as the machine is busy, so no clock limits
    // it: it fails once it sits idle, alive, computing nothing (a worker holding it open), or once
    // it has spent more CPU than the whole script could need.
    const script = fileURLToPath(new URL('./early-break-script.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: process.cwd(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    // 'close' comes after the output is read ('exit' may come before it).
    const closed = new Promise<string>((resolve) =>
      child.on('close', (code, signal) =>
        resolve(
          signal
            ? `killed by ${signal}`
            : code === 13
              ? // Node's own code: nothing was left to wake the script while its top-level await waited.
                'exit code 13 (an unsettled top-level await: the event loop emptied while the script waited)'
              : `exit code ${code}`,
        ),
      ),
    );
    const verdict = await Promise.race([closed, stuck(child, () => out.includes('\n'))]);
    child.kill('SIGKILL');
    const ended = await closed;
    const said = `${verdict} (${ended}); stdout: ${JSON.stringify(out)}; stderr: ${err.slice(-4000) || '(empty)'}`;
    expect(out.trim(), said).toBe('done 3');
    expect(verdict, said).toBe('exit code 0');
  });
});

/**
 * Alive but idle this long (less than IDLE_CPU_MS of CPU in the window), the child is held open. A
 * process waiting on nothing but a worker's open handle still wakes now and then (~5 ms per 15 s
 * seen); one that computes gets its share of a busy machine (a load of 50 on 2 cores still leaves it
 * ~400 ms per 10 s).
 */
const IDLE_WINDOW_MS = 10_000;
const IDLE_CPU_MS = 100;
/** More CPU than the script could need (its start, two workers' starts, a few batches: ~3 s quiet). */
const CPU_LIMIT_MS = 60_000;

/**
 * Resolves, saying why, once the child has sat idle for IDLE_WINDOW_MS or spent CPU_LIMIT_MS (CPU
 * time from /proc, so a busy machine only makes it slower); never where /proc is missing (the test's
 * own timeout stands). `printed` tells whether its last line has come.
 */
function stuck(child: ChildProcess, printed: () => boolean): Promise<string> {
  return new Promise((resolve) => {
    const samples: { at: number; cpu: number }[] = [];
    const timer = setInterval(() => {
      const cpu = child.exitCode === null && child.signalCode === null ? cpuMs(child.pid!) : undefined;
      if (cpu === undefined) return clearInterval(timer); // ended: 'close' decides
      const at = Date.now();
      samples.push({ at, cpu });
      while (samples.length > 1 && at - samples[1]!.at >= IDLE_WINDOW_MS) samples.shift();
      const oldest = samples[0]!;
      if (cpu >= CPU_LIMIT_MS) resolve(`spent ${cpu / 1000} s of CPU`);
      else if (at - oldest.at >= IDLE_WINDOW_MS && cpu - oldest.cpu < IDLE_CPU_MS)
        resolve(
          `idle for ${IDLE_WINDOW_MS / 1000} s ${printed() ? 'after its last line: a worker holds the process' : 'before printing anything'}`,
        );
      else return;
      clearInterval(timer);
    }, 100);
  });
}

describe('DataLoader workers for a dataset class of your own', { timeout: WORKER_TESTS_MS }, () => {
  async function read(
    dataset: torch.utils.data.Dataset<[torch.Tensor, number]>,
    numWorkers: number,
    persistentWorkers = false,
  ) {
    const loader = new DataLoader(dataset, {
      batchSize: 3,
      shuffle: true,
      generator: new torch.Generator(5),
      numWorkers,
      persistentWorkers,
    });
    const epochs: unknown[] = [];
    for (let e = 0; e < 2; e++) {
      const batches: unknown[] = [];
      for await (const [x, y] of loader) batches.push([await x.toArray(), await y.toArray()]);
      epochs.push(batches);
    }
    return epochs;
  }

  it('copies it into each worker and gives the batches of numWorkers: 0, random draws included', async () => {
    const ds = new NoisyPoints(11, new Scale(2));
    torch.manualSeed(1);
    const before = torch.defaultGenerator.getState();
    const serial = await read(ds, 0);
    // The default generator is seeded per sample and put back: the main thread's stream is untouched.
    expect(torch.defaultGenerator.getState()).toEqual(before);
    // Fresh workers per epoch (two starts per epoch, each paying tsx and the engine, ~1 CPU-s)...
    expect(await read(ds, 2)).toEqual(serial);
    // ...and persistent ones, which serve both epochs from one copy of the dataset: the same batches
    // again, with a worker count (3) that does not divide the 4 batches evenly.
    expect(await read(ds, 3, true)).toEqual(serial);
    const [first, second] = serial as [number[][][][], number[][][][]];
    expect(first.map(([, y]) => y.length)).toEqual([3, 3, 3, 2]);
    // The noise is random (a fresh draw per sample and per epoch), not a constant.
    const noise = (epoch: number[][][][]) =>
      epoch.flatMap(([x]) => x.map((row) => row[0]! / 2 - Math.floor(row[0]! / 2)));
    expect(new Set(noise(first)).size).toBe(11);
    expect(noise(second)).not.toEqual(noise(first));
  });

  it('copies what randomSplit and the engine wrap around it: Subset, Compose', async () => {
    const ds = new NoisyPoints(12, new transforms.Compose([new Scale(3), new Scale(0.5)]));
    const [train] = torch.utils.data.randomSplit(ds, [0.75, 0.25], new torch.Generator(2));
    const read2 = async (numWorkers: number) => {
      const out: unknown[] = [];
      const loader = new DataLoader(train!, { batchSize: 4, numWorkers, generator: new torch.Generator(9) });
      for await (const [x, y] of loader) out.push([await x.toArray(), await y.toArray()]);
      return out;
    };
    expect(await read2(2)).toEqual(await read2(0));
  });

  it('says what cannot be copied, where it sits, and what to do', async () => {
    const first = (loader: AsyncIterable<unknown>) => loader[Symbol.asyncIterator]().next();
    // A class defined inside a function cannot be imported by a worker.
    class Local extends torch.utils.data.Dataset<number> {
      get length() {
        return 3;
      }
      getItem(i: number) {
        return i;
      }
    }
    await expect(first(new DataLoader(new Local(), { numWorkers: 1 }))).rejects.toThrow(
      /Local cannot be copied into a worker thread: Local is class Local, which is not exported from .*dataloader\.test\.ts.*export it there/,
    );
    // A closure used as a transform: the path inside the dataset is named.
    const offset = 1;
    await expect(
      first(new DataLoader(new NoisyPoints(4, { call: (x) => x.add(offset) }), { numWorkers: 1 })),
    ).rejects.toThrow(/NoisyPoints\.transform\.call is function call, which is not exported/);
    // #private fields cannot be read from outside the class.
    await expect(first(new DataLoader(new Sealed(), { numWorkers: 1 }))).rejects.toThrow(/Sealed with #private fields/);
    // An anonymous class has no name to be found by.
    const anonymous = new (class extends torch.utils.data.Dataset<number> {
      get length() {
        return 1;
      }
      getItem() {
        return 0;
      }
    })();
    await expect(first(new DataLoader(anonymous, { numWorkers: 1 }))).rejects.toThrow(/anonymous class.*numWorkers: 0/);
  });
});
