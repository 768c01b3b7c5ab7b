import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import LongestFirst from './test/helpers/sequencer.ts';

// The project's own tests. Graders (graders/*.grader.ts) are not tests of the project: they grade a
// learner's code and run through `npm run grade`, which starts vitest itself, one exercise at a time.

/**
 * Test files that only compute in their own process: the engine's op, autograd, module and I/O
 * suites, the kit's library, the CLI's units (report collection, progress line, widths, sandbox
 * flags), the docs. A fresh process per file cost them about a CPU-second each (a fork, vitest's
 * runtime, the engine's 180 modules fetched again from the main process): 48 such
 * files took 94 CPU-s isolated and 43 in shared processes, same tests passing. They run in processes
 * that go on to the next file, each file starting from the engine state a fresh process has
 * (test/helpers/shared-file.ts). Everything else keeps a process per file: files that grade in
 * children (long anyway), keep worker threads, read memory figures, swap modules or globals, or hold
 * a WebGPU device (with WebGPU among TORCHLINGS_DEVICES, CI's run, every file keeps its own process).
 */
const SHARED = [
  'test/engine/{amp,autograd,io,nn,ops,optim,tensor,vision}/**/*.test.ts',
  'test/engine/data/{collate,random-split,tensor-dataset}.test.ts',
  'test/engine/{api-reference,cpu-matmul,cpu-wasm-adam,cpu-wasm-elementwise,cuda,options,pytorch-conformance,quantization,serialization}.test.ts',
  'test/graders/lib/**/*.test.ts',
  'test/cli/{collect,permissions,progress,width}.test.ts',
  'test/{bench,docs,guide}/**/*.test.ts',
];
const webgpu = (process.env.TORCHLINGS_DEVICES ?? 'cpu').split(',').some((d) => d.trim() === 'webgpu');
const ALL = ['test/**/*.test.ts'];

const common = {
  pool: 'forks' as const,
  // CI machines have two cores shared by two test workers; property tests and kernel compiles
  // there take several times as long as on a quiet desk, so the default 5 s would be flaky. No
  // test is timed (speed is npm run bench's): the limit only catches a hang, so it leaves room for
  // a loaded machine, where single tests took up to 11 s with just these two workers (load 16).
  // A file may raise it for a long test, never lower it: at load 35, a 30 s limit on reading the
  // real MNIST files failed a correct test. Hooks (a beforeAll that grades) get the same room.
  testTimeout: 120_000,
  hookTimeout: 120_000,
  // The engine reads memory figures after an explicit collection, to keep them deterministic; a
  // compile job V8 runs in the background can hold objects through one, so compile on the main thread.
  execArgv: ['--expose-gc', '--no-concurrent-recompilation'],
};

export default defineConfig({
  test: {
    // Vitest's default leaves a core to itself (cores − 1): one worker on a 2-core machine, while the
    // longest files mostly wait on the grading children they start. Two workers there: 396 → 288 s
    // for the whole suite on a quiet 2-core machine, same tests passing.
    maxWorkers: Math.max(2, availableParallelism()),
    globalSetup: ['test/helpers/temp-root.ts'],
    sequence: { sequencer: LongestFirst },
    projects: webgpu
      ? [{ test: { ...common, name: 'isolated', include: ALL } }]
      : [
          {
            test: {
              ...common,
              name: 'shared',
              include: SHARED,
              isolate: false,
              setupFiles: ['test/helpers/shared-file.ts'],
            },
          },
          { test: { ...common, name: 'isolated', include: ALL, exclude: SHARED } },
        ],
  },
});
