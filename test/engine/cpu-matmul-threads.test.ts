/**
 * torch.setNumThreads: large float32 matmuls on the CPU split columns of C between worker threads
 * sharing the WebAssembly kernel's memory. Same bits as one thread, and a process with workers
 * still exits on its own.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { matmulThreadsReady } from '../../engine/backends/cpu/wasm/matmul.ts';

afterAll(() => torch.setNumThreads(1));

async function product(threads: number, a: torch.Tensor, b: torch.Tensor): Promise<Float32Array> {
  torch.setNumThreads(threads);
  return (await a.matmul(b).data()) as Float32Array;
}

describe('CPU matmul on several threads', { timeout: 120_000 }, () => {
  it('gives the same bits as one thread, for transposed, batched and odd-sized operands', async () => {
    torch.setNumThreads(3);
    // Workers start asynchronously and get no work until ready; wait for them so the split runs.
    for (let i = 0; i < 600 && matmulThreadsReady() < 3; i++) await new Promise((r) => setTimeout(r, 100));
    expect(matmulThreadsReady()).toBe(3);
    torch.manualSeed(0);
    const cases: [torch.Tensor, torch.Tensor][] = [
      [torch.randn(203, 517), torch.randn(517, 131)],
      [torch.randn(300, 150).t(), torch.randn(190, 300).t()], // [150, 300] × [300, 190], both transposed
      [torch.randn(3, 97, 1100), torch.randn(1100, 45)], // batched, B broadcast, K in two blocks
      [torch.randn(50, 1024), torch.randn(1024, 1100)], // K in one block, N in two blocks of columns
      // Staged at an odd offset, whole (row stride 901) or a line at a time (row strides 2000, 2001),
      // each B panel packed by the thread that computes it: the staged copies keep the source's
      // alignment mod 8 bytes, so lines start on either parity.
      [torch.randn(130, 901).narrow(1, 1, 899), torch.randn(151, 901).narrow(1, 1, 899).t()],
      [torch.randn(130, 2000).narrow(1, 3, 899), torch.randn(151, 2001).narrow(1, 1, 899).t()],
      [torch.randn(130, 2001).narrow(1, 1, 899), torch.randn(899, 2001).narrow(1, 5, 151)],
    ];
    for (const [a, b] of cases) expect(await product(3, a, b)).toEqual(await product(1, a, b));
    expect(torch.getNumThreads()).toBe(1);
  });

  it('refuses a thread count that is not a positive integer', () => {
    expect(() => torch.setNumThreads(0)).toThrow(
      'setNumThreads: expected a positive integer number of threads, but got 0',
    );
    expect(() => torch.setNumThreads(1.5)).toThrow(/positive integer/);
  });

  it('leaves the process free to exit with its workers idle', async () => {
    const tsx = join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const script = fileURLToPath(new URL('./threads-exit-script.ts', import.meta.url));
    const child = spawn(tsx, [script], { cwd: process.cwd(), stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    // A worker that held the process would hold it for ever; the limit only bounds a slow start.
    const held = setTimeout(() => child.kill(), 100_000);
    const exit = await new Promise<number | null>((resolve) => child.on('close', resolve));
    clearTimeout(held);
    expect(out.trim()).toBe('done 65536');
    expect(exit).toBe(0);
  });
});
