import { readFileSync, realpathSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, transform, type BuildOptions, type Message, type Plugin } from 'esbuild';

// The grading child runs one CommonJS bundle, built here by the CLI (which may read anything) so that
// the child needs no TypeScript loader, no vitest and no access to the checkout beyond what its
// permissions list. The bundle holds the kit, the engine, the exercise's grader and the learner's
// files; the learner's files are evaluated only when a check loads them (see runtime.ts), after the
// lockdown. A learner's file may import only from its own exercise folder, #engine, #kit/… and
// packages: `export * from '../../../solutions/…'` becomes a load error, not a bundled solution.

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const runtime = fileURLToPath(new URL('./runtime.ts', import.meta.url));
const workerRuntime = fileURLToPath(new URL('./worker-runtime.ts', import.meta.url));
export const engineDir = join(repoRoot, 'engine');
export const kitDir = join(repoRoot, 'graders', 'lib');
/** The kit's packages as found from its checkout (perhaps a symlink, as in a class's copies), and as they really are. */
export const nodeModulesLink = join(repoRoot, 'node_modules');
export const nodeModules = realpathSync(nodeModulesLink);
/** The names the bundles run under (no such files exist): source maps are relative to them. */
export const BUNDLE_FILES = {
  main: join(repoRoot, 'graders/cli/sandbox/grading-bundle.cjs'),
  worker: join(repoRoot, 'graders/cli/sandbox/grading-worker-bundle.cjs'),
};

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
  main: string;
  worker?: string;
}

export async function buildBundles(input: BundleInput): Promise<Bundles> {
  const blocked = await syntaxErrors(input.files);
  const learnerMap = `{${input.files.map((f) => `${JSON.stringify(f)}: () => require(${JSON.stringify(f)})`).join(',')}}`;
  const modules = `{${[...engineModules(), ...input.files]
    .map((f) => `${JSON.stringify(pathToFileURL(f).href)}: () => require(${JSON.stringify(f)})`)
    .join(',')}}`;
  const main = await bundle(
    `module.exports = (key, config) => require(${JSON.stringify(runtime)}).main(key, config, {
       learners: ${learnerMap},
       modules: ${modules},
       grader: () => require(${JSON.stringify(input.grader)}),
     });`,
    input,
    blocked,
    BUNDLE_FILES.main,
  );
  if (!input.workers) return { main };
  const worker = await bundle(
    `require(${JSON.stringify(workerRuntime)}).main(${modules}, () => require(${JSON.stringify(join(engineDir, 'utils/data/worker.ts'))}));`,
    input,
    blocked,
    BUNDLE_FILES.worker,
  );
  return { main, worker };
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

async function bundle(
  entry: string,
  input: BundleInput,
  blocked: Map<string, string>,
  outfile: string,
): Promise<string> {
  const result = await build({
    outfile,
    stdin: { contents: entry, resolveDir: repoRoot, sourcefile: 'torchlings-entry.js', loader: 'js' },
    ...CHILD_BUILD,
    // Native addons stay out of the bundle (and load only where addons are allowed).
    external: ['webgpu', '@resvg/resvg-js', ...builtinModules, 'node:*'],
    // vega-canvas's Node build awaits an optional `canvas` package at its top level, which a CommonJS
    // bundle cannot hold; its browser build finds no canvas in Node either, and Vega then measures
    // text by estimate, as it does in Node without that package.
    alias: { 'vega-canvas': join(nodeModules, 'vega-canvas/build/vega-canvas.browser.js') },
    plugins: [learnerGuard(input.exerciseDir, blocked), importMeta()],
  });
  return result.outputFiles[0]!.text;
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

function learnerGuard(exerciseDir: string, blocked: Map<string, string>): Plugin {
  const allowed = [exerciseDir, engineDir, kitDir, nodeModules];
  return {
    name: 'torchlings-learner-guard',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === 'inner' || !inside(exerciseDir, args.importer)) return undefined;
        if (args.path.startsWith('node:') || builtinModules.includes(args.path)) return { external: true };
        const r = await b.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'inner',
        });
        const real = r.errors.length === 0 && !r.external ? safeRealpath(r.path) : undefined;
        if (real && allowed.some((dir) => inside(dir, real))) return r;
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
