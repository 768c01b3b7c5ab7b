/**
 * `npm test`: the type check (tsc --noEmit) and the suite (vitest run, given npm test's arguments)
 * at once, so that tsc uses what the test workers leave of the cores instead of running before them;
 * fails when either fails. tsc's output comes after vitest's, so the two never interleave.
 *
 * tsc keeps what it learnt in node_modules/.cache (--incremental): a fresh clone, or a fresh
 * `npm ci`, checks every file; a later run re-checks the files that changed and those that depend
 * on them, and reports the errors of the others again from the record (33 → 9 CPU-s unchanged, here).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function run(command: string, args: string[], quiet: boolean): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: root,
      stdio: ['inherit', quiet ? 'pipe' : 'inherit', quiet ? 'pipe' : 'inherit'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output }));
  });
}

const [typecheck, suite] = await Promise.all([
  run(
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      '--noEmit',
      '--incremental',
      '--tsBuildInfoFile',
      join(root, 'node_modules/.cache/torchlings/tsc.tsbuildinfo'),
    ],
    true,
  ),
  run(join(root, 'node_modules/.bin/vitest'), ['run', ...process.argv.slice(2)], false),
]);
process.stdout.write(
  typecheck.code === 0
    ? '\ntypecheck (tsc --noEmit): passed\n'
    : `\n${typecheck.output}\ntypecheck (tsc --noEmit): FAILED (npm run typecheck)\n`,
);
process.exitCode = typecheck.code || suite.code;
