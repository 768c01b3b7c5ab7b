/**
 * Matmul throughput of the WebGPU backend: GFLOP/s for n×n @ n×n (float32) at n = 128, 512, 1024
 * on whatever adapter Dawn finds. Run: npx tsx bench/webgpu-matmul.ts
 */
import type { View } from '../engine/backend/types.ts';
import { destroyWebGPU, initWebGPU, webgpuInfo } from '../engine/backends/webgpu/index.ts';
import type { WebGPUBackend } from '../engine/backends/webgpu/index.ts';

const backend = (await initWebGPU()) as WebGPUBackend | null;
if (!backend) process.exit(1);
console.log(`adapter: ${webgpuInfo()!.adapter}`);

const square = (buffer: View['buffer'], n: number, transposed = false): View => ({
  buffer,
  shape: [n, n],
  strides: transposed ? [1, n] : [n, 1],
  offset: 0,
});

for (const [n, layout] of [
  [128, 'a @ b'],
  [512, 'a @ b'],
  [1024, 'a @ b'],
  [1024, 'a @ b.t()'],
] as const) {
  const data = Float32Array.from({ length: n * n }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5);
  const a = backend.upload(data, 'float32');
  const b = backend.upload(data, 'float32');
  const out = backend.alloc('float32', n * n);
  const run = () => backend.matmul(square(a, n), square(b, n, layout !== 'a @ b'), square(out, n));
  run();
  await backend.synchronize(); // compile and warm up
  const iterations = Math.max(3, Math.round(2e9 / (2 * n ** 3)));
  const start = performance.now();
  for (let i = 0; i < iterations; i++) run();
  await backend.synchronize();
  const seconds = (performance.now() - start) / 1000;
  const gflops = (2 * n ** 3 * iterations) / seconds / 1e9;
  console.log(
    `n=${String(n).padEnd(5)} ${layout.padEnd(10)} ${gflops.toFixed(1).padStart(6)} GFLOP/s  (${iterations} runs, ${((seconds / iterations) * 1000).toFixed(2)} ms each)`,
  );
  for (const buffer of [a, b, out]) backend.release(buffer);
}
destroyWebGPU();
