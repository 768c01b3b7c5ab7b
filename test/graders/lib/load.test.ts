import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ENV } from '../../../graders/lib/env.ts';
import { loadTarget } from '../../../graders/lib/load.ts';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'torchlings-load-'));
  mkdirSync(join(root, '01-x'));
  writeFileSync(join(root, '01-x', 'good.ts'), 'export const answer: number = 42;\n');
  writeFileSync(join(root, '01-x', 'bad.ts'), 'export const a = 1;\nexport function f( {\n');
  process.env[ENV.targetRoot] = root;
  process.env[ENV.targetLabel] = 'exercises';
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  delete process.env[ENV.targetRoot];
  delete process.env[ENV.targetLabel];
});

test('loads a module from the target folder', async () => {
  expect((await loadTarget<{ answer: number }>('01-x', 'good.ts')).answer).toBe(42);
});

test('a missing file names the file', async () => {
  await expect(loadTarget('01-x', 'gone.ts')).rejects.toMatchObject({
    kind: 'missing-file',
    message: 'exercises/01-x/gone.ts is missing',
  });
});

test('a syntax error gives the learner file and line, without colour codes', async () => {
  const e = await loadTarget('01-x', 'bad.ts').catch((err: unknown) => err);
  expect(e).toMatchObject({ kind: 'syntax', location: { file: 'exercises/01-x/bad.ts', line: 2 } });
  expect((e as Error).message).toMatch(/^syntax error: \S/);
  expect((e as Error).message).not.toMatch(/\x1b/);
});
