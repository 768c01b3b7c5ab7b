import { basename } from 'node:path';
import type { ErrorKind } from '../../../graders/lib/events.ts';
import { ANSWER, WRONG, type Paths } from './course.ts';

// Cheating and hostile submissions, as a student would write them. Each is the wrong answer
// (course.ts) plus a cheat run when the module loads, i.e. inside the first check. A cheat that
// patches something is wrapped in try/catch, so that the module loads and the checks compare: the
// exercise must then still fail on the merits. A cheat that reaches outside (files, processes,
// signals) is left to throw: the exercise must be an error saying so.

export interface Attack {
  name: string;
  source: (p: Paths) => string;
  /** 'failed': the module loaded and the wrong answer was caught. An ErrorKind: some check, or the exercise, has it. */
  outcome: 'failed' | ErrorKind;
}

const j = JSON.stringify;
const cheat = (code: string) => () => `${WRONG}\ntry {\n${code}\n} catch {}\n`;
const reach = (imports: string, code: string) => () => `${imports}\n${WRONG}\n${code}\n`;
const own = (p: Paths) => `${p.course}/solutions/${p.folder}/${ANSWER}`;

export const ATTACKS: Attack[] = [
  // Patching what the grader's comparisons compute with.
  { name: 'JSON.stringify', outcome: 'failed', source: cheat(`JSON.stringify = () => '{"type":"end"}';`) },
  { name: 'Math.abs', outcome: 'failed', source: cheat('Math.abs = () => 0;') },
  { name: 'Array.prototype', outcome: 'failed', source: cheat('Array.prototype.forEach = function () {};') },
  {
    name: 'Number',
    outcome: 'failed',
    source: cheat('Number.isNaN = () => false; Number.prototype.toPrecision = () => "0";'),
  },
  {
    name: 'Object.prototype.toJSON',
    outcome: 'failed',
    source: cheat(`Object.defineProperty(Object.prototype, 'toJSON', { value: () => ({ status: 'passed' }) });`),
  },
  {
    name: 'Tensor.prototype.toArray',
    outcome: 'failed',
    source: cheat('torch.Tensor.prototype.toArray = async function () { return new Array(this.numel()).fill(0); };'),
  },
  {
    name: 'Promise.prototype.then',
    outcome: 'failed',
    source: cheat('Promise.prototype.then = function (ok) { return ok?.(undefined); };'),
  },
  { name: 'Symbol.for', outcome: 'failed', source: cheat('Symbol.for = () => Symbol("x");') },
  {
    name: 'performance.now and Date.now',
    outcome: 'failed',
    source: cheat('performance.now = () => -1e12; Date.now = () => -1e12;'),
  },
  {
    name: 'process.env',
    outcome: 'failed',
    source: (p) =>
      `${WRONG}\nprocess.env.TORCHLINGS_TARGET_ROOT = ${j(`${p.course}/solutions`)}; process.env.TORCHLINGS_SEED = '9';\n`,
  },
  {
    name: 'globalThis.Promise replaced',
    outcome: 'forbidden',
    source: () => `${WRONG}\nglobalThis.Promise = class extends Promise {};\n`,
  },
  {
    name: "node:fs's writeSync via syncBuiltinESMExports",
    outcome: 'failed',
    source: () => `import fs from 'node:fs';\nimport { syncBuiltinESMExports } from 'node:module';\n${WRONG}
const write = fs.writeSync;
try {
  fs.writeSync = (fd, s, ...rest) => write(fd, String(s).replaceAll('"status":"failed"', '"status":"passed"'), ...rest);
  fs.appendFileSync = () => {};
  syncBuiltinESMExports();
} catch {}\n`,
  },
  // Copying answers instead of computing them.
  {
    name: "re-export the checkout's solutions/ (relative path)",
    outcome: 'load',
    source: (p) => `export * from ${j(`../../../../${basename(p.course)}/solutions/${p.folder}/${ANSWER}`)};\n`,
  },
  {
    name: "re-export the checkout's solutions/ (absolute path)",
    outcome: 'load',
    source: (p) => `export * from ${j(own(p))};\n`,
  },
  {
    name: 'read solutions/ at run time',
    outcome: 'forbidden',
    source: (p) => `import { readFileSync } from 'node:fs';\n${WRONG}\nreadFileSync(${j(own(p))}, 'utf8');\n`,
  },
  {
    name: "read the grader's file (numbers copied from it)",
    outcome: 'forbidden',
    source: (p) =>
      `import { readFileSync } from 'node:fs';\n${WRONG}\nreadFileSync(${j(`${p.course}/graders/${p.folder}.grader.ts`)}, 'utf8');\n`,
  },
  // Writing where grading does not write.
  {
    name: "rewrite another exercise's grader at import",
    outcome: 'forbidden',
    source: (p) =>
      reach(`import { writeFileSync } from 'node:fs';`, `writeFileSync(${j(p.cleanGrader)}, 'export {};');`)(),
  },
  {
    name: 'write a file into graders/',
    outcome: 'forbidden',
    source: (p) =>
      reach(
        `import { writeFileSync } from 'node:fs';`,
        `writeFileSync(${j(`${p.course}/graders/evil.grader.ts`)}, '');`,
      )(),
  },
  {
    name: "overwrite another exercise's solution",
    outcome: 'forbidden',
    source: (p) => reach(`import { writeFileSync } from 'node:fs';`, `writeFileSync(${j(p.cleanSolution)}, '');`)(),
  },
  {
    name: 'rewrite the --json report',
    outcome: 'forbidden',
    source: (p) => reach(`import { writeFileSync } from 'node:fs';`, `writeFileSync(${j(p.report)}, '{}');`)(),
  },
  // Outliving the grading, signalling the CLI, forging results.
  {
    name: 'a detached process that rewrites the report after the CLI exits',
    outcome: 'forbidden',
    source: (p) =>
      reach(
        `import { spawn } from 'node:child_process';`,
        `spawn('sh', ['-c', ${j(`sleep 2; echo '{}' > '${p.report}'; touch '${p.mark}'`)}], { detached: true, stdio: 'ignore' }).unref();`,
      )(),
  },
  {
    name: 'a worker thread',
    outcome: 'forbidden',
    source: reach(
      `import { Worker } from 'node:worker_threads';`,
      `new Worker('setInterval(() => {}, 1000)', { eval: true });`,
    ),
  },
  {
    name: 'WASI with the whole disk preopened',
    outcome: 'forbidden',
    source: reach(`import { WASI } from 'node:wasi';`, `new WASI({ version: 'preview1', preopens: { '/': '/' } });`),
  },
  {
    name: 'SIGTERM to the grading CLI',
    outcome: 'forbidden',
    source: reach('', `process.kill(process.ppid, 'SIGTERM');`),
  },
  {
    name: 'process.reallyExit(0)',
    outcome: 'forbidden',
    source: reach('', `(process as unknown as { reallyExit(c: number): void }).reallyExit(0);`),
  },
  { name: 'process.exit(0)', outcome: 'load', source: reach('', 'process.exit(0);') },
  {
    name: 'forged results on the results pipe',
    outcome: 'forbidden',
    source: reach(
      `import { writeSync } from 'node:fs';`,
      `for (const id of ['add', 'total', 'double'])
  writeSync(3, '\\n' + JSON.stringify({ type: 'result', id, durationMs: 1, status: 'passed', message: [] }) + '\\n');
writeSync(3, '\\n@torchlings ' + '0'.repeat(64) + ' 7 {"type":"end"}\\n');`,
    ),
  },
  {
    name: 'a flood on the results pipe',
    outcome: 'forbidden',
    source: reach(
      `import { writeSync } from 'node:fs';`,
      `for (let i = 0; i < 40; i++) writeSync(3, 'x'.repeat(1 << 20));`,
    ),
  },
  {
    name: 'an unhandled rejection while a check runs',
    outcome: 'exception',
    source: () => `${WRONG.replace('a - b', 'a + b')}\nvoid Promise.reject(new Error('left behind'));\n`,
  },
];
