/**
 * `node --expose-gc --import tsx bench/tensor-index.ts`: what `x[0]` support costs. It lives in a Proxy behind
 * Tensor.prototype (engine/tensor/integer-index.ts); this times a small training loop (many cheap
 * ops: method calls and field reads dominate; CPU time, which a loaded machine disturbs less) with that Proxy in the chain and with it taken out,
 * alternating (ABBA), and prints the median ratio.
 */
import * as torch from '#engine';
import { median } from './timing.ts';

const proto = torch.Tensor.prototype;
const withProxy = Object.getPrototypeOf(proto) as object;

function loop(): number {
  const g = new torch.Generator().manualSeed(0);
  const model = new torch.nn.Sequential(new torch.nn.Linear(8, 16), new torch.nn.ReLU(), new torch.nn.Linear(16, 2));
  const opt = new torch.optim.SGD(model.parameters(), { lr: 0.01 });
  const x = torch.randn(4, 8, { generator: g });
  const y = torch.randn(4, 2, { generator: g });
  const t0 = process.cpuUsage();
  for (let i = 0; i < 150; i++) {
    opt.zeroGrad();
    const loss = model.call(x).sub(y).square().mean();
    loss.backward();
    opt.step();
    void loss.shape[0];
  }
  const used = process.cpuUsage(t0);
  return used.user + used.system;
}

/** Field reads and method calls alone, 200,000 times: what the Proxy could slow down. */
function reads(): number {
  const x = torch.ones(2, 3);
  let n = 0;
  const t0 = process.cpuUsage();
  for (let i = 0; i < 2e5; i++) n += x.ndim + x.numel() + (x.requiresGrad ? 1 : 0) + (x.grad === null ? 1 : 0);
  const used = process.cpuUsage(t0);
  if (n === 0) throw new Error('unreachable: keeps the loop from being optimised away');
  return used.user + used.system;
}

function timed(proxy: boolean, fn: () => number): number {
  Object.setPrototypeOf(proto, proxy ? withProxy : Object.prototype);
  (globalThis as { gc?: () => void }).gc?.();
  return fn();
}

// Alternating which goes first (ABBA), since the second of a pair runs on a warmer engine.
function compare(what: string, fn: () => number): void {
  const ratios: number[] = [];
  for (let round = 0; round < 21; round++) {
    const first = round % 2 === 0;
    const a = first ? timed(true, fn) : 0;
    const b = timed(false, fn);
    const ratio = (first ? a : timed(true, fn)) / b;
    if (round > 0) ratios.push(ratio); // round 0 warms both up
  }
  const sorted = [...ratios].sort((p, q) => p - q);
  const quartile = (q: number) => sorted[Math.floor(q * (sorted.length - 1))]!.toFixed(3);
  console.log(
    `${what}, CPU time with the index Proxy / without: median ${median(ratios).toFixed(3)}, ` +
      `quartiles ${quartile(0.25)}–${quartile(0.75)} (${ratios.length} pairs)`,
  );
}

compare('training loop (150 SGD steps, tiny MLP)', loop);
compare('field reads and method calls (2e5)', reads);
Object.setPrototypeOf(proto, withProxy);
