// Run by cpu-matmul-threads.test.ts: a product on two threads, then nothing left to do. The process
// must exit by itself, its matmul worker idle.
import * as torch from '#engine';
import { matmulThreadsReady } from '../../engine/backends/cpu/wasm/matmul.ts';

torch.setNumThreads(2);
while (matmulThreadsReady() < 2) await new Promise((r) => setTimeout(r, 50));
const y = torch.rand(256, 256).matmul(torch.rand(256, 256));
console.log('done', (await y.data()).length);
