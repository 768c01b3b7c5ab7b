/** Run by dataloader.test.ts in a child process: it must exit on its own once the loops are done. */
import * as torch from '#engine';

const ds = new torch.utils.data.TensorDataset(torch.arange(0, 1000));
let n = 0;
for await (const [x] of new torch.utils.data.DataLoader(ds, { batchSize: 10, numWorkers: 2 })) {
  if (x && ++n === 3) break;
}
// An iterator that is simply dropped, without return(), must not hold the process either.
await new torch.utils.data.DataLoader(ds, { batchSize: 10, numWorkers: 2 })[Symbol.asyncIterator]().next();
// Persistent workers outlive their loop, and one that got no batch (two workers, one batch) must
// not hold the process either (the guide's DataLoader with numWorkers: 4 over a short data set).
for await (const _ of new torch.utils.data.DataLoader(ds, { batchSize: 1000, numWorkers: 2, persistentWorkers: true }));
console.log('done', n);
