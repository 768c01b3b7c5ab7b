/**
 * npm run bench:sandbox: what each of the grading child's conditions (graders/cli/run-exercise.ts)
 * costs a training loop, as a ratio to a plain `node` run of the same esbuild bundle, all in one run
 * (compare ratios, not seconds, on a shared machine). The loop is exercise 04's worked fit() on
 * MNIST images (12,800 by default), timed in CPU time after a warm-up epoch.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CHILD_BUILD, importMeta } from '../graders/cli/sandbox/build.ts';
import { permissionFlags } from '../graders/cli/sandbox/permissions.ts';

interface Variant {
  name: string;
  flags: string[];
  env: Record<string, string>;
}

/**
 * Bundles `entry` (a TypeScript file) into `<dir>/bundle.cjs` as build.ts bundles a grader: the same
 * CommonJS code the grading child runs. Returns the bundle's path.
 */
export async function bundleAsChild(entry: string, dir: string): Promise<string> {
  const bundle = join(dir, 'bundle.cjs');
  const result = await build({
    // A CommonJS (sloppy-mode) entry, as build.ts makes.
    stdin: { contents: `require(${JSON.stringify(entry)})`, resolveDir: dirname(entry), loader: 'js' },
    ...CHILD_BUILD,
    outfile: bundle,
    external: ['webgpu', '@resvg/resvg-js', 'vega-canvas'],
    plugins: [importMeta()],
  });
  writeFileSync(bundle, result.outputFiles[0]!.text);
  return bundle;
}

/** Bundles sandbox-cost-child.ts; returns the bundle and the variants to run it under. */
async function prepare(): Promise<{ bundle: string; variants: Variant[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'torchlings-sandbox-cost-'));
  const bundle = await bundleAsChild(fileURLToPath(new URL('./sandbox-cost-child.ts', import.meta.url)), dir);
  const scratch = join(dir, 'scratch');
  mkdirSync(scratch);
  // Node 20 aborts on a path granted twice: the exercise folder and the scratch folder differ, as in grading.
  const sandbox = permissionFlags({ exerciseDir: dir, scratch, workers: false, addons: false });
  const lockdown = { BENCH_LOCKDOWN: '1' };
  const variants: Variant[] = [
    { name: 'plain node', flags: [], env: {} },
    { name: '--enable-source-maps', flags: ['--enable-source-maps'], env: {} },
    { name: '--no-concurrent-recompilation', flags: ['--no-concurrent-recompilation'], env: {} },
    { name: '--expose-gc', flags: ['--expose-gc'], env: {} },
    { name: 'permission model', flags: sandbox, env: {} },
    { name: 'lockdown()', flags: [], env: lockdown },
    {
      name: 'all of the above (the grading child)',
      flags: [...sandbox, '--enable-source-maps', '--expose-gc', '--no-concurrent-recompilation'],
      env: lockdown,
    },
  ];
  return { bundle, variants };
}

/** CPU milliseconds of the child's timed fit() under `v`, training on `samples` images. */
function cpuMs(bundle: string, v: Variant, samples: number): number {
  const out = spawnSync(process.execPath, [...v.flags, '--disable-warning=ExperimentalWarning', bundle], {
    env: { ...process.env, ...v.env, BENCH_SAMPLES: String(samples) },
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(`${v.name}: ${out.stderr}`);
  return (JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { cpuMs: number }).cpuMs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { bundle, variants } = await prepare();
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const best = new Map<string, number>();
  for (let r = 0; r < rounds; r++)
    for (const v of variants) best.set(v.name, Math.min(best.get(v.name) ?? Infinity, cpuMs(bundle, v, 12_800)));
  const base = best.get('plain node')!;
  for (const [name, ms] of best)
    console.log(`${name.padEnd(38)} ${(ms / 1000).toFixed(2).padStart(7)} s CPU  ×${(ms / base).toFixed(2)}`);
}
