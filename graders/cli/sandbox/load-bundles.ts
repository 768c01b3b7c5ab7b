// How the grading child, and each DataLoader worker thread in it, evaluates its bundles (build.ts):
// the shared bundle first, whose exports map each shared module's id to a loader; then the
// exercise's bundle, as a CommonJS module whose require() answers those ids from the shared bundle
// (each module once) and anything else (Node's built-ins, addons) as Node does. Source, not a
// function: it runs inside the boot scripts, before any bundle is loaded.
export const LOAD_BUNDLES = `function loadBundles(shared, own) {
  const Module = require('node:module');
  const { dirname } = require('node:path');
  const compile = (code, filename, require) => {
    const m = new Module(filename);
    m.filename = filename;
    m.paths = Module._nodeModulePaths(dirname(filename));
    if (require) Object.defineProperty(m, 'require', { value: require, writable: false, configurable: false });
    m._compile(code, filename);
    return m.exports;
  };
  const loaders = compile(shared.code, shared.filename);
  const loaded = new Map();
  const nodeRequire = Module.prototype.require;
  return compile(own.code, own.filename, function require(id) {
    if (!Object.hasOwn(loaders, id)) return nodeRequire.call(this, id);
    if (!loaded.has(id)) loaded.set(id, loaders[id]());
    return loaded.get(id);
  });
}`;
