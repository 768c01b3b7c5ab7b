// The program bench/sandbox-cost.ts runs in a child under each variant of the grading child's
// conditions: the worked solution's fit() of exercise 04 on a slice of MNIST, timed in CPU time.
import * as torch from '#engine';
import * as vision from '#engine/vision';
import { lockdown } from '../graders/cli/sandbox/lockdown.ts';
import { fit } from '../solutions/04-mnist-mlp/train.ts';

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_SAMPLES ?? 12_800);
  if (process.env.BENCH_LOCKDOWN === '1') lockdown([torch, vision]);
  const mnist = new vision.datasets.MNIST({ train: true });
  const x = mnist.data.slice(0, 0, n).reshape(n, 784).div(255).sub(0.1307).div(0.3081);
  const data = {
    train: new torch.utils.data.TensorDataset(x, mnist.targets.slice(0, 0, n)),
    test: new torch.utils.data.TensorDataset(x.slice(0, 0, 1000), mnist.targets.slice(0, 0, 1000)),
  };
  const config = { activation: 'relu', optimizer: 'adam', lr: 1e-3, batchSize: 64, epochs: 1 } as const;
  await fit(config, data); // warm-up: the JIT's tiers
  const cpu0 = process.cpuUsage();
  await fit(config, data);
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000 }));
}
void main();
