import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { destroyWebGPU } from '../../../engine/backends/webgpu/index.ts';
import { describeWebGPU } from './harness.ts';

afterAll(destroyWebGPU);

const run = promisify(execFile);
const child = fileURLToPath(new URL('./exit-child.ts', import.meta.url));

/** Runs the child script; rejects if it has not exited by itself within `timeout` ms. */
async function runChild(timeout: number): Promise<{ stdout: string; ms: number }> {
  const start = performance.now();
  const { stdout } = await run(process.execPath, ['--import', 'tsx', child], {
    timeout,
    killSignal: 'SIGKILL',
    env: { ...process.env, XDG_RUNTIME_DIR: '/tmp' },
  });
  return { stdout, ms: performance.now() - start };
}

describeWebGPU('a process using WebGPU', () => {
  it('exits by itself without destroying the device, with the same memory figures every run', async () => {
    // A live Dawn device must not keep Node alive (webgpu 0.4 on Node 22 spun a core until destroy()).
    // Generous bound: kernel compilation on a loaded CPU-emulated GPU takes seconds.
    const first = await runChild(60_000);
    const second = await runChild(60_000);
    const figures = JSON.parse(first.stdout.trim()) as { allocated: number; maxAllocated: number; reserved: number };
    expect(figures.allocated).toBe(4);
    expect(figures.maxAllocated).toBe(4 * (64 * 32 + 32 * 16 + 64 * 16 + 1));
    expect(second.stdout).toBe(first.stdout);
  });
});
