// A DataLoader worker thread in the grading child: the engine's worker-pool starts it with
// WORKER_BOOT (set by runtime.ts), which loads the shared bundle and the worker bundle (build.ts: the
// learner's files, not the grader) as the child does (load-bundles.ts) and runs the engine's worker
// program from them.
import { registerModules } from '#engine/utils/data/modules';
import { LOAD_BUNDLES } from './load-bundles.ts';

/** CommonJS, evaluated by `new Worker(code, { eval: true })`; workerData.boot is runtime.ts' config.worker. */
export const WORKER_BOOT = `(() => {
  ${LOAD_BUNDLES}
  const { shared, code, filename } = require('node:worker_threads').workerData.boot;
  process.setSourceMapsEnabled(true);
  loadBundles(shared, { code, filename });
})();`;

export function main(modules: Record<string, () => unknown>, worker: () => unknown): void {
  registerModules(modules);
  worker();
}
