import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, expect, test } from 'vitest';
import { course, repo } from './helpers.ts';

// The course copy lives inside this checkout (in the ignored .torchlings/) so that `#kit/…` resolves.
const copy = join(repo, '.torchlings', `watch-test-${process.pid}`);
afterAll(() => rmSync(copy, { recursive: true, force: true }));

test('--watch re-grades on save and moves on to the next exercise once one passes', { timeout: 240_000 }, async () => {
  mkdirSync(copy, { recursive: true });
  for (const d of ['exercises', 'solutions', 'graders']) cpSync(join(course, d), join(copy, d), { recursive: true });
  const child = execa(
    process.execPath,
    ['--import', 'tsx', 'graders/cli/main.ts', '--course', copy, '--watch', '--poll', '--jobs', '2'],
    {
      cwd: repo,
      reject: false,
      env: { NO_COLOR: '1', LANG: 'C' },
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  const waitFor = async (pattern: RegExp): Promise<void> => {
    for (let i = 0; i < 600 && !pattern.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(pattern);
  };
  const solve = (dir: string, file: string) =>
    cpSync(join(copy, 'solutions', dir, file), join(copy, 'exercises', dir, file));

  try {
    await waitFor(/watching \S*01-add\//);
    solve('01-add', 'add.ts');
    await waitFor(/watching \S*02-grad\//); // 01 passed: on to 02 without another save
    expect(out).toMatch(/01-add .* 4\/4 +done/);
    solve('02-grad', 'square.ts');
    solve('02-grad', 'mean.ts');
    const { exitCode } = await child;
    expect(out).toContain('all exercises pass');
    expect(exitCode).toBe(0);
  } finally {
    child.kill();
  }
});
