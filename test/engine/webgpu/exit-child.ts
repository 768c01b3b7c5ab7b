/**
 * Run by exit.test.ts in a child process: initializes WebGPU, runs a small training-like loop of
 * kernels, prints the memory figures as JSON and returns without destroying the device, so the
 * parent can check that Node exits by itself and that the figures are the same on every run.
 */
import { initWebGPU } from '../../../engine/backends/webgpu/index.ts';

const backend = await initWebGPU();
if (!backend) {
  console.log('null');
} else {
  const view = (buffer: ReturnType<typeof backend.alloc>, shape: number[]) => ({
    buffer,
    shape,
    strides: shape.length === 2 ? [shape[1]!, 1] : [1],
    offset: 0,
  });
  for (let step = 0; step < 5; step++) {
    const x = backend.upload(
      Float32Array.from({ length: 64 * 32 }, (_, i) => Math.sin(i)),
      'float32',
    );
    const w = backend.upload(
      Float32Array.from({ length: 32 * 16 }, (_, i) => Math.cos(i)),
      'float32',
    );
    const h = backend.alloc('float32', 64 * 16);
    backend.matmul(view(x, [64, 32]), view(w, [32, 16]), view(h, [64, 16]));
    backend.unary('relu', view(h, [64, 16]), view(h, [64, 16]));
    const loss = backend.alloc('float32', 1);
    backend.reduce('sum', view(h, [64, 16]), [0, 1], { buffer: loss, shape: [], strides: [], offset: 0 });
    await backend.read({ buffer: loss, shape: [], strides: [], offset: 0 });
    for (const b of [x, w, h]) backend.release(b);
    if (step < 4) backend.release(loss);
  }
  console.log(JSON.stringify(backend.memory));
}
