// The `node -e` program of the grading child. It reads stdin to its end: one line with the key that
// signs results, one with the child's config, then the bundle (build.ts), which it compiles as a
// CommonJS module and starts. All inside a function: a top-level `const` of an -e script would be a
// global binding any later script (the learner's included) could read.
export const BOOT = `(() => {
  const fs = require('node:fs');
  const Module = require('node:module');
  const input = fs.readFileSync(0, 'utf8');
  const first = input.indexOf('\\n');
  const second = input.indexOf('\\n', first + 1);
  const key = input.slice(0, first);
  const config = JSON.parse(input.slice(first + 1, second));
  const m = new Module(config.filename);
  m.filename = config.filename;
  m.paths = Module._nodeModulePaths(require('node:path').dirname(config.filename));
  m._compile(input.slice(second + 1), config.filename);
  m.exports(key, config).catch((e) => { process.exitCode = 3; throw e; });
})();`;
