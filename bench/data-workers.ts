/**
 * npx tsx bench/data-workers.ts: DataLoader throughput on a decode-heavy dataset (PNG decode plus
 * RandomAffine, ToTensor and Normalize per image) with 0 and 2 worker threads. 3,000 MNIST digits
 * are written as PNGs to a temporary folder and read through datasets.ImageFolder. The first epoch
 * with workers includes starting them (each loads tsx and the engine); the second is steady state
 * (persistentWorkers). Compare the ratios within one run: the machine may be shared.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from '#engine';
import { datasets, transforms } from '#engine/vision';
import { writeDigits } from '../graders/05-custom-dataset/folders.ts';

const root = mkdtempSync(join(tmpdir(), 'bench-workers-'));
try {
  writeDigits(root, 'train', 3000, false);
  const dataset = new datasets.ImageFolder(root, {
    transform: new transforms.Compose([
      new transforms.RandomAffine(8, { translate: [0.08, 0.08] }),
      new transforms.ToTensor(),
      new transforms.Normalize([0.1307], [0.3081]),
    ]),
  });
  const epoch = async (loader: torch.utils.data.DataLoader<[torch.Tensor, number]>) => {
    const started = performance.now();
    for await (const [x] of loader) void x;
    return (performance.now() - started) / 1000;
  };
  const rate = (s: number) => `${s.toFixed(2)} s (${Math.round(dataset.length / s)} images/s)`;
  const serial = new torch.utils.data.DataLoader(dataset, { batchSize: 64, shuffle: true });
  const s0 = [await epoch(serial), await epoch(serial)];
  const workers = new torch.utils.data.DataLoader(dataset, {
    batchSize: 64,
    shuffle: true,
    numWorkers: 2,
    persistentWorkers: true,
  });
  const s2 = [await epoch(workers), await epoch(workers)];
  console.log(`numWorkers 0: epoch 1 ${rate(s0[0]!)}, epoch 2 ${rate(s0[1]!)}`);
  console.log(`numWorkers 2: epoch 1 ${rate(s2[0]!)} (starts the workers), epoch 2 ${rate(s2[1]!)}`);
  console.log(`speed-up of 2 workers, steady state: ${(s0[1]! / s2[1]!).toFixed(2)}×`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
