/**
 * npm run bench [-- --device cpu|webgpu|all] [--compare pytorch.json]: speed figures for the engine
 * on each device. A script, not a timed test: figures vary ±10% from run to run (more on a shared
 * machine), so compare ratios within one run. --compare reads PyTorch's figures for the same cases
 * (made by `python3 bench/pytorch_reference.py > pytorch.json`) and prints the kit's as ratios.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import * as torch from '#engine';
import { MR, NR, REVECTORIZE } from '../engine/backends/cpu/wasm/kernel.ts';
import { compareRows, readReference, type Figures } from './compare.ts';
import { compileRows } from './compile.ts';
import { convRows, elementwiseRows, matmulRows, mlpRows } from './ops.ts';
import { performanceRows } from './performance.ts';
import { table } from './timing.ts';
import { trainingRows } from './training.ts';

const { values } = parseArgs({
  options: { device: { type: 'string', default: 'cpu' }, compare: { type: 'string' } },
});
const wanted = values.device === 'all' ? ['cpu', 'webgpu'] : [values.device!];
// Read before measuring, so a bad file fails at once rather than after minutes of benchmarks.
const reference = values.compare === undefined ? undefined : readReference(values.compare);

for (const device of wanted) {
  if (device !== 'cpu' && device !== 'webgpu') throw new Error(`--device must be cpu, webgpu or all (got ${device})`);
  if (device === 'webgpu' && !(await torch.webgpu.isAvailable())) {
    console.log('webgpu: no adapter found; skipped');
    continue;
  }
  const name =
    device === 'webgpu'
      ? `webgpu (${torch.webgpu.adapterName()})`
      : `cpu (JavaScript kernels, WebAssembly SIMD matmul with a ${MR}×${NR} tile${REVECTORIZE ? ' revectorized to 256-bit' : ''}, one thread, Node ${process.versions.node})`;
  console.log(`\n${name}`);
  // lavapipe runs workgroups on a pool of CPU threads, one per core unless LP_NUM_THREADS says otherwise.
  if (device === 'webgpu' && torch.webgpu.adapterName().includes('llvmpipe'))
    console.log(`lavapipe threads: ${process.env.LP_NUM_THREADS ?? `${availableParallelism()} (one per core)`}`);
  const figures: Partial<Figures> = {};
  const rows = [
    ['case', 'time', 'rate'],
    ...(await matmulRows(device, figures)),
    ...(await elementwiseRows(device)),
    ...(await mlpRows(device)),
    ...(await trainingRows(device, figures)),
    ...(await convRows(device, figures)),
    ...(await performanceRows(device)),
    ...(await compileRows(device)),
  ];
  console.log(table(rows));
  if (reference) console.log(`\n${table(compareRows(figures, reference))}`);
}
await torch.webgpu.destroy();
