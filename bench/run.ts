/**
 * npm run bench [-- --device cpu|webgpu|all]: speed figures for the engine on each device. A
 * script, not a timed test: figures vary ±10% from run to run, so compare ratios within one run.
 */
import { parseArgs } from 'node:util';
import * as torch from '#engine';
import { elementwiseRows, matmulRows, mlpRows } from './ops.ts';
import { table } from './timing.ts';
import { trainingRows } from './training.ts';

const { values } = parseArgs({ options: { device: { type: 'string', default: 'cpu' } } });
const wanted = values.device === 'all' ? ['cpu', 'webgpu'] : [values.device!];

for (const device of wanted) {
  if (device !== 'cpu' && device !== 'webgpu') throw new Error(`--device must be cpu, webgpu or all (got ${device})`);
  if (device === 'webgpu' && !(await torch.webgpu.isAvailable())) {
    console.log('webgpu: no adapter found; skipped');
    continue;
  }
  const name =
    device === 'webgpu'
      ? `webgpu (${torch.webgpu.adapterName()})`
      : 'cpu (JavaScript kernels, WebAssembly SIMD matmul, one thread)';
  console.log(`\n${name}`);
  const rows = [
    ['case', 'time', 'rate'],
    ...(await matmulRows(device)),
    ...(await elementwiseRows(device)),
    ...(await mlpRows(device)),
    ...(await trainingRows(device)),
  ];
  console.log(table(rows));
}
await torch.webgpu.destroy();
