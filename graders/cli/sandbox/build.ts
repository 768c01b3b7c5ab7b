import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, transform, version as esbuildVersion, type BuildOptions, type Message, type Plugin } from 'esbuild';

// The grading child runs CommonJS bundles, built here by the CLI (which may read anything) so that
// the child needs no TypeScript loader, no vitest and no access to the checkout beyond what its
// permissions list. Two bundles: the shared one (the engine, the kit, the child's runtime), the
// same for every exercise and built once per version of their sources; and the exercise's (its
// grader and the learner's files), whose imports of shared modules the child resolves to the
// shared bundle's, so that grader, kit and learner compute with one engine. Building the shared part
// is most of the work (about a CPU-second of esbuild, per exercise graded before it was split out).
// The learner's files are evaluated only when a check loads them (see runtime.ts), after the
// lockdown. A learner's file may import only from its own exercise folder, #engine, #kit/… and
// packages: `export * from '../../../solutions/…'` becomes a load error, not a bundled solution.

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const sandboxDir = fileURLToPath(new URL('.', import.meta.url));
const runtime = join(sandboxDir, 'runtime.ts');
const workerRuntime = join(sandboxDir, 'worker-runtime.ts');
export const engineDir = join(repoRoot, 'engine');
export const kitDir = join(repoRoot, 'graders', 'lib');
/** The kit's packages as found from its checkout (perhaps a symlink, as in a class's copies), and as they really are. */
export const nodeModulesLink = join(repoRoot, 'node_modules');
export const nodeModules = realpathSync(nodeModulesLink);
/** The names the bundles run under (no such files exist): source maps are relative to them. */
export const BUNDLE_FILES = {
  shared: join(repoRoot, 'graders/cli/sandbox/grading-shared-bundle.cjs'),
  main: join(repoRoot, 'graders/cli/sandbox/grading-bundle.cjs'),
  worker: join(repoRoot, 'graders/cli/sandbox/grading-worker-bundle.cjs'),
};
/** Packages graders import that the shared bundle holds too, rather than each exercise's bundle. */
const SHARED_PACKAGES = ['fast-check'];

export interface BundleInput {
  grader: string;
  /** The exercise's folder of learner files (a copy, exercises/NN or solutions/NN). */
  exerciseDir: string;
  /** The learner's files present there, absolute. */
  files: string[];
  /** Also build the bundle a DataLoader worker thread runs: the engine and the learner's files, no grader. */
  workers: boolean;
}

export interface Bundles {
  /** The shared bundle: see sharedEntry. */
  shared: string;
  main: string;
  worker?: string;
}

export async function buildBundles(input: BundleInput): Promise<Bundles> {
  const shared = await sharedBundle();
  const blocked = await syntaxErrors(input.files);
  const learnerMap = requireMap(input.files.map((f) => [f, f]));
  const modules = requireMap([...engineModules(), ...input.files].map((f) => [pathToFileURL(f).href, f]));
  const main = await exerciseBundle(
    `module.exports = (key, config) => require(${JSON.stringify(runtime)}).main(key, config, {
       learners: ${learnerMap},
       modules: ${modules},
       grader: () => require(${JSON.stringify(input.grader)}),
     });`,
    input,
    blocked,
    BUNDLE_FILES.main,
    shared.ids,
  );
  if (!input.workers) return { shared: shared.code, main };
  const worker = await exerciseBundle(
    `require(${JSON.stringify(workerRuntime)}).main(${modules}, () => require(${JSON.stringify(join(engineDir, 'utils/data/worker.ts'))}));`,
    input,
    blocked,
    BUNDLE_FILES.worker,
    shared.ids,
  );
  return { shared: shared.code, main, worker };
}

/** How every grading child's bundle is built (bench/sandbox-cost.ts builds its own the same way). */
export const CHILD_BUILD = {
  bundle: true,
  write: false,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Source maps: stack traces name the learner's own file and line, and the DataLoader finds the
  // module that defines a Dataset class from them (engine/utils/data/origin.ts).
  sourcemap: 'inline',
  sourcesContent: false,
  logLevel: 'silent',
} as const satisfies BuildOptions;

const tsFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f))
    .sort();

interface Shared {
  code: string;
  ids: Set<string>;
}

/**
 * Engine modules left out of the shared bundle: plot.ts brings Vega (some 4 MB of JavaScript that
 * every grading child and DataLoader worker would compile); it goes into the bundles of the
 * exercises that import it, whose other engine imports still come from the shared bundle.
 */
const EXERCISE_ONLY = ['io/plot.ts'];

let sharedBuild: { key: string; result: Promise<Shared> } | undefined;
const cacheDir = join(nodeModulesLink, '.cache', 'torchlings', 'grading');

/**
 * The shared bundle, built again only when its sources change: the key hashes every shared file and
 * the lockfile (the packages bundled with them), which costs milliseconds where a build costs a
 * CPU-second. Kept in this process and on disk beside tsc's cache, so that every later `npm run
 * grade` on this checkout starts from it.
 */
function sharedBundle(): Promise<Shared> {
  const { ids, hashed } = sharedSources();
  const hash = createHash('sha256')
    .update(esbuildVersion)
    .update(readFileSync(join(repoRoot, 'package-lock.json')));
  for (const f of hashed) hash.update(f).update('\0').update(readFileSync(f)).update('\0');
  const key = hash.digest('hex').slice(0, 32);
  if (sharedBuild?.key === key) return sharedBuild.result;
  const result = cachedOrBuilt(key, async () => {
    const built = await build({
      ...bundleOptions(sharedEntry(ids), [importMeta()], BUNDLE_FILES.shared),
      metafile: true,
    });
    // A source the key does not hash would leave a stale bundle in the cache after it changed.
    const local = Object.keys(built.metafile.inputs)
      .filter((f) => !f.includes('node_modules/') && f !== ENTRY)
      .map((f) => realpathSync(join(repoRoot, f)));
    const covered = new Set(hashed);
    const missed = local.filter((f) => !covered.has(f));
    if (missed.length > 0)
      throw new Error(`the shared grading bundle reads ${missed.join(', ')}, which its cache key leaves out`);
    return built.outputFiles[0]!.text;
  }).then((code) => ({ code, ids: new Set(ids) }));
  sharedBuild = { key, result };
  return result;
}

/**
 * The shared bundle's modules (by real path, as the exercise bundle's resolver sees them: a class's
 * copies may reach the kit by a link) and the files its key hashes: those and the sandbox's own.
 */
function sharedSources(): { ids: string[]; hashed: string[] } {
  const engine = tsFiles(realpathSync(engineDir));
  const exerciseOnly = new Set(EXERCISE_ONLY.map((f) => join(realpathSync(engineDir), f)));
  const kit = tsFiles(realpathSync(kitDir));
  const sandbox = [runtime, workerRuntime].map((f) => realpathSync(f));
  return {
    ids: [...engine.filter((f) => !exerciseOnly.has(f)), ...kit, ...sandbox, ...SHARED_PACKAGES],
    hashed: [...engine, ...kit, ...tsFiles(realpathSync(sandboxDir))],
  };
}

/** The shared bundle's entry: module.exports maps each id to a loader of that module. */
const sharedEntry = (ids: string[]): string => `module.exports = ${requireMap(ids.map((id) => [id, id]))};`;

/** A JavaScript object literal mapping each key to a function that requires its module. */
const requireMap = (entries: [key: string, module: string][]): string =>
  `{${entries.map(([key, module]) => `${JSON.stringify(key)}: () => require(${JSON.stringify(module)})`).join(',')}}`;

/** The file cached under `key`, or `make()`'s text, cached (the only entry kept: the sources moved on). */
async function cachedOrBuilt(key: string, make: () => Promise<string>): Promise<string> {
  const file = join(cacheDir, `shared-${key}.cjs`);
  try {
    return readFileSync(file, 'utf8');
  } catch {
    // not built on this checkout yet
  }
  const code = await make();
  try {
    mkdirSync(cacheDir, { recursive: true });
    // Written whole, then renamed: another CLI reading it meanwhile sees the old state or the new, never half.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, code);
    renameSync(temp, file);
    for (const old of readdirSync(cacheDir)) if (old !== basename(file)) rmSync(join(cacheDir, old), { force: true });
  } catch {
    // A read-only checkout builds again next time.
  }
  return code;
}

/** An exercise's bundle: shared modules (`shared`, by id) stay out of it, for the child to take from the shared bundle. */
function exerciseBundle(
  entry: string,
  input: BundleInput,
  blocked: Map<string, string>,
  outfile: string,
  shared: Set<string>,
): Promise<string> {
  return bundle(entry, [learnerGuard(input.exerciseDir, blocked, shared), importMeta()], outfile);
}

async function bundle(entry: string, plugins: Plugin[], outfile: string): Promise<string> {
  return (await build(bundleOptions(entry, plugins, outfile))).outputFiles[0]!.text;
}

/** The generated entry's name in source maps and esbuild's metafile. */
const ENTRY = 'torchlings-entry.js';

function bundleOptions(entry: string, plugins: Plugin[], outfile: string) {
  return {
    outfile,
    stdin: { contents: entry, resolveDir: repoRoot, sourcefile: ENTRY, loader: 'js' },
    ...CHILD_BUILD,
    // Native addons stay out of the bundle (and load only where addons are allowed).
    external: ['webgpu', '@resvg/resvg-js', ...builtinModules, 'node:*'],
    // vega-canvas's Node build awaits an optional `canvas` package at its top level, which a CommonJS
    // bundle cannot hold; its browser build finds no canvas in Node either, and Vega then measures
    // text by estimate, as it does in Node without that package.
    alias: { 'vega-canvas': join(nodeModules, 'vega-canvas/build/vega-canvas.browser.js') },
    plugins,
  } satisfies BuildOptions;
}

/** Every engine module, by file: a worker thread imports engine classes by module URL (state.ts). */
function engineModules(): string[] {
  return ['index.ts', 'vision.ts', 'utils/data/tensor-dataset.ts', 'vision/datasets/mnist.ts'].map((f) =>
    join(engineDir, f),
  );
}

/** Learner files that do not compile, each with the error the module throws when loaded instead. */
async function syntaxErrors(files: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const file of files) {
    try {
      await transform(readFileSync(file, 'utf8'), {
        loader: 'ts',
        format: 'cjs',
        sourcefile: file,
        logLevel: 'silent',
      });
    } catch (e) {
      const m = (e as { errors?: Message[] }).errors?.[0];
      if (m)
        out.set(
          file,
          throwing('SyntaxError', m.text, m.location ? `${file}:${m.location.line}:${m.location.column + 1}` : file),
        );
    }
  }
  return out;
}

/** A module body that throws `name: message` with a stack pointing at `where` (the learner's file:line). */
function throwing(name: string, message: string, where: string): string {
  const err = `Object.assign(new ${name === 'SyntaxError' ? 'SyntaxError' : 'Error'}(${JSON.stringify(message)}), { stack: ${JSON.stringify(`${name}: ${message}\n    at ${where}`)} })`;
  return `throw ${err};`;
}

const inside = (dir: string, path: string): boolean => path === dir || path.startsWith(dir + sep);

/**
 * Resolves the exercise bundle's imports: a shared module stays out (external, by its id); a learner's
 * file may import only what `allowed` lists, anything else becomes a module that throws saying why.
 */
function learnerGuard(exerciseDir: string, blocked: Map<string, string>, shared: Set<string>): Plugin {
  const allowed = [exerciseDir, engineDir, kitDir, nodeModules];
  return {
    name: 'torchlings-learner-guard',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'inner') return undefined;
        if (args.path.startsWith('node:') || builtinModules.includes(args.path)) return { external: true };
        if (SHARED_PACKAGES.includes(args.path)) return { path: args.path, external: true };
        const r = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'inner',
        });
        const real = r.errors.length === 0 && !r.external ? safeRealpath(r.path) : undefined;
        const learner = inside(exerciseDir, args.importer);
        if (real && (!learner || allowed.some((dir) => inside(dir, real)))) {
          return shared.has(real) ? { path: real, external: true } : r;
        }
        if (!learner) return r.errors.length > 0 ? undefined : r;
        if (r.external && r.path === 'webgpu') return r;
        const shown = relative(exerciseDir, args.importer);
        const why =
          r.errors.length > 0
            ? `${shown} imports '${args.path}', which does not exist`
            : `${shown} imports '${args.path}', from outside its exercise folder: only files beside it, #engine, #kit/… and packages can be imported`;
        return {
          path: `${args.importer}:${args.path}`,
          namespace: 'blocked',
          pluginData: { why, importer: args.importer },
        };
      });
      b.onLoad({ filter: /.*/, namespace: 'blocked' }, (args) => {
        const { why, importer } = args.pluginData as { why: string; importer: string };
        return { contents: throwing('Error', why, `${importer}:1:1`), loader: 'js' };
      });
      b.onLoad({ filter: /\.[cm]?tsx?$/ }, (args) => {
        const error = blocked.get(args.path);
        return error === undefined ? undefined : { contents: error, loader: 'js' };
      });
    },
  };
}

function safeRealpath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** `import.meta.url` becomes the file's own URL: CommonJS has no import.meta, and the engine names modules by it. */
export function importMeta(): Plugin {
  return {
    name: 'torchlings-import-meta',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?tsx?$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta')) return undefined;
        const url = pathToFileURL(args.path).href;
        return {
          contents: source
            .replaceAll('import.meta.url', JSON.stringify(url))
            .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
            .replaceAll('import.meta.filename', JSON.stringify(args.path)),
          loader: 'ts',
        };
      });
    },
  };
}
