// A DataLoader worker thread in the grading child: the engine's worker-pool starts it with
// WORKER_BOOT (set by runtime.ts), which evaluates the worker bundle (build.ts: the engine and the
// learner's files, not the grader) and runs the engine's worker program from it.
import { registerModules } from '#engine/utils/data/modules';

/** CommonJS, evaluated by `new Worker(code, { eval: true })`; workerData.boot is runtime.ts' config.worker. */
export const WORKER_BOOT = `(() => {
  const { workerData } = require('node:worker_threads');
  const Module = require('node:module');
  const { code, filename } = workerData.boot;
  process.setSourceMapsEnabled(true);
  const m = new Module(filename);
  m.filename = filename;
  m.paths = Module._nodeModulePaths(require('node:path').dirname(filename));
  m._compile(code, filename);
})();`;

export function main(modules: Record<string, () => unknown>, worker: () => unknown): void {
  registerModules(modules);
  worker();
}
