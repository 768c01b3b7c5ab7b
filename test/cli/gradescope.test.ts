import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { execa } from 'execa';
import { beforeAll, describe, expect, test } from 'vitest';
import { open, type Entry, type ZipFile } from 'yauzl';
import gradescopeSchema from '../../graders/schemas/gradescope.schema.json' with { type: 'json' };
import { writeBundle } from '../../graders/cli/course/bundle.ts';
import { repo } from './helpers.ts';

// autograder.zip as Gradescope uses it: unpacked, then run_autograder run in an /autograder tree
// (here a temporary one, through AUTOGRADER_ROOT), and its results.json held to Gradescope's fields.

interface Unzipped {
  mode: Map<string, number>;
  text: Map<string, string>;
}

async function unzip(path: string, wanted: string[]): Promise<Unzipped> {
  const zip = await new Promise<ZipFile>((ok, fail) =>
    open(path, { lazyEntries: true }, (e, z) => (e ? fail(e) : ok(z))),
  );
  const out: Unzipped = { mode: new Map(), text: new Map() };
  await new Promise<void>((done, fail) => {
    zip.on('entry', (entry: Entry) => {
      out.mode.set(entry.fileName, (entry.externalFileAttributes >>> 16) & 0o777);
      if (!wanted.includes(entry.fileName)) return zip.readEntry();
      zip.openReadStream(entry, (e, stream) => {
        if (e) return fail(e);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          out.text.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
          zip.readEntry();
        });
      });
    });
    zip.on('end', done);
    zip.on('error', fail);
    zip.readEntry();
  });
  return out;
}

const ajv = new Ajv({ allErrors: true, strict: false });

describe('npm run gradescope:bundle', { timeout: 240_000 }, () => {
  let runner: string;
  let zip: Unzipped;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torchlings-gradescope-'));
    await writeBundle({ course: repo, out: join(dir, 'autograder.zip') });
    zip = await unzip(join(dir, 'autograder.zip'), ['run_autograder', 'setup.sh']);
    runner = join(dir, 'run_autograder');
    writeFileSync(runner, zip.text.get('run_autograder')!);
    chmodSync(runner, 0o755);
  });

  test('the zip: setup.sh and run_autograder executable at its top, the kit under source/, no solutions', () => {
    expect(zip.mode.get('setup.sh')).toBe(0o755);
    expect(zip.mode.get('run_autograder')).toBe(0o755);
    const names = [...zip.mode.keys()];
    for (const n of ['source/package.json', 'source/exercises/manifest.json', 'source/graders/cli/main.ts'])
      expect(names).toContain(n);
    expect(names).toContain('source/graders/hidden/01-tensors.hidden.ts');
    expect(names.filter((n) => /^source\/(solutions|test|node_modules)\//.test(n))).toEqual([]);
    expect(zip.text.get('setup.sh')).toMatch(/npm pack "node-linux-\$arch@\$NODE_VERSION"/);
    expect(zip.text.get('run_autograder')).not.toContain('__MAX_SCORE__');
  });

  test('run_autograder grades /autograder/submission into results.json, hidden checks after publishing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'autograder-'));
    symlinkSync(repo, join(root, 'source'));
    // The student's upload: the repository, 01 solved, the rest never written.
    mkdirSync(join(root, 'submission', 'repo', 'exercises', '01-tensors'), { recursive: true });
    cpSync(
      join(repo, 'solutions/01-tensors/tensors.ts'),
      join(root, 'submission/repo/exercises/01-tensors/tensors.ts'),
    );
    const r = await execa(runner, [], { reject: false, env: { AUTOGRADER_ROOT: root } });
    expect(r.exitCode).toBe(0);
    const results = JSON.parse(readFileSync(join(root, 'results/results.json'), 'utf8'));
    expect(ajv.validate(gradescopeSchema, results), ajv.errorsText()).toBe(true);
    const hidden = results.tests.filter((t: { visibility: string }) => t.visibility === 'after_published');
    expect(hidden.map((t: { name: string }) => t.name)).toContain('01-tensors (hidden) · hidden check 1');
    const score = (prefix: string) =>
      results.tests
        .filter((t: { name: string }) => t.name.startsWith(prefix))
        .reduce((s: number, t: { score: number }) => s + t.score, 0);
    expect(score('01-tensors ·')).toBe(10);
    expect(score('01-tensors (hidden)')).toBe(3);
    expect(results.score).toBe(13);
  });

  test('when grading cannot run at all, results.json still says why, with score 0', async () => {
    const root = mkdtempSync(join(tmpdir(), 'autograder-broken-'));
    mkdirSync(join(root, 'source'));
    mkdirSync(join(root, 'submission'));
    const r = await execa(runner, [], { reject: false, env: { AUTOGRADER_ROOT: root } });
    expect(r.exitCode).toBe(0);
    const results = JSON.parse(readFileSync(join(root, 'results/results.json'), 'utf8'));
    expect(ajv.validate(gradescopeSchema, results), ajv.errorsText()).toBe(true);
    expect(results).toMatchObject({ score: 0, tests: [] });
    expect(results.output).toMatch(/^grading could not run \(exit code \d+\):\n/);
  });
});
