/**
 * npx tsx bench/data-workers.ts: DataLoader throughput on a decode-heavy dataset of a learner's own
 * class (exercise 05's worked DigitFolder: a Dataset subclass in an ordinary module, no workerSpec();
 * per image a PNG decode, RandomAffine, ToTensor and Normalize) with 0 and 2 worker threads.
 * 3,000 MNIST digits are written as PNGs to a temporary folder. The first epoch with workers
 * includes starting them (each loads tsx and the engine); the second is steady state
 * (persistentWorkers). Both loaders must give the same batches, random draws included. Compare the
 * ratios within one run: the machine may be shared.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as torch from '#engine';
import { writeDigits } from '../graders/05-custom-dataset/folders.ts';
import { DigitFolder } from '../solutions/05-custom-dataset/digits.ts';
import { trainTransform } from '../solutions/05-custom-dataset/pipeline.ts';

const root = mkdtempSync(join(tmpdir(), 'bench-workers-'));
try {
  writeDigits(root, 'train', 3000, false);
  const dataset = new DigitFolder(root, trainTransform());
  const epoch = async (loader: torch.utils.data.DataLoader<[torch.Tensor, number]>) => {
    const started = performance.now();
    const batches: number[][] = [];
    for await (const [x, y] of loader) batches.push([await x.sum().item(), ...((await y.toArray()) as number[])]);
    return { seconds: (performance.now() - started) / 1000, batches };
  };
  const rate = (s: number) => `${s.toFixed(2)} s (${Math.round(dataset.length / s)} images/s)`;
  const loader = (numWorkers: number) =>
    new torch.utils.data.DataLoader(dataset, {
      batchSize: 64,
      shuffle: true,
      generator: new torch.Generator(0),
      numWorkers,
      persistentWorkers: numWorkers > 0,
    });
  const serial = loader(0);
  const s0 = [await epoch(serial), await epoch(serial)];
  const workers = loader(2);
  const s2 = [await epoch(workers), await epoch(workers)];
  const same = s0.every((e, i) => isDeepStrictEqual(e.batches, s2[i]!.batches));
  console.log(`numWorkers 0: epoch 1 ${rate(s0[0]!.seconds)}, epoch 2 ${rate(s0[1]!.seconds)}`);
  console.log(`numWorkers 2: epoch 1 ${rate(s2[0]!.seconds)} (starts the workers), epoch 2 ${rate(s2[1]!.seconds)}`);
  console.log(`speed-up of 2 workers, steady state: ${(s0[1]!.seconds / s2[1]!.seconds).toFixed(2)}×`);
  console.log(`the same batches (labels and pixel sums) in both epochs: ${same}`);
  if (!same) process.exitCode = 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}
