import { LOAD_BUNDLES } from './load-bundles.ts';

// The `node -e` program of the grading child. It reads stdin to its end: one line with the key that
// signs results, one with the child's config, then the shared bundle and the exercise's (build.ts),
// which it loads (load-bundles.ts) and starts. All inside a function: a top-level `const` of an -e
// script would be a global binding any later script (the learner's included) could read.
export const BOOT = `(() => {
  ${LOAD_BUNDLES}
  const input = require('node:fs').readFileSync(0, 'utf8');
  const first = input.indexOf('\\n');
  const second = input.indexOf('\\n', first + 1);
  const key = input.slice(0, first);
  const config = JSON.parse(input.slice(first + 1, second));
  const split = second + 1 + config.shared.length;
  const shared = { code: input.slice(second + 1, split), filename: config.shared.filename };
  // DataLoader workers load the same shared bundle (worker-runtime.ts).
  if (config.worker) config.worker.shared = shared;
  const start = loadBundles(shared, { code: input.slice(split), filename: config.filename });
  start(key, config).catch((e) => { process.exitCode = 3; throw e; });
})();`;
