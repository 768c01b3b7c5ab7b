import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Ajv } from 'ajv';
import { execa } from 'execa';
import { afterAll, expect, test } from 'vitest';
import reportSchema from '../../../graders/schemas/report.schema.json' with { type: 'json' };
import type { Report } from '../../../graders/cli/results.ts';
import { course as fixture, fingerprint, repo, submission } from '../helpers.ts';
import { ATTACKS } from './attacks.ts';
import { makeCourse } from './course.ts';

// Every attack of attacks.ts as one exercise of one course, graded in one run (the attacks share
// nothing but the CLI): each must score 0 with the stated outcome, the clean exercise beside them
// full marks, and nothing outside the run's scratch folder may change, during the run or after it.

const course = makeCourse(ATTACKS.map((a) => a.source));
afterAll(() => {
  rmSync(course.root, { recursive: true, force: true });
  for (const dir of [course.submission, dirname(course.report)]) rmSync(dir, { recursive: true, force: true });
});

test(
  'hostile submissions cannot raise a score, write outside scratch, or end the run',
  // Catches a hang only: at load 30 the run took longer than 230 s (each attack's limit is CPU time,
  // up to four times that in wall time when the machine is busy).
  { timeout: 600_000 },
  async () => {
    const watched = [course.root, course.submission, join(repo, 'graders'), join(repo, 'solutions')];
    const before = watched.map(fingerprint);
    const report = course.report;
    const r = await execa(
      process.execPath,
      [
        '--import',
        'tsx',
        'graders/cli/main.ts',
        '--course',
        course.root,
        '--submission',
        course.submission,
        '--json',
        report,
      ],
      { cwd: repo, reject: false, env: { NO_COLOR: '1', LANG: 'C' }, timeout: 590_000 },
    );
    expect(r.exitCode, r.stderr).toBe(1);
    const written = readFileSync(report, 'utf8');
    await sleep(3000); // a detached writer would strike by now
    expect(readFileSync(report, 'utf8')).toBe(written);
    expect(existsSync(course.mark)).toBe(false);

    const json = JSON.parse(written) as Report;
    const ajv = new Ajv({ allErrors: true, strict: false });
    expect(ajv.validate(reportSchema, json), ajv.errorsText()).toBe(true);
    expect(json.sandbox.permissionModel).toBe(true);
    expect(json.exercises[0]).toMatchObject({ folder: '00-clean', status: 'passed', score: 3 });
    const outcomes = ATTACKS.map((a, i) => {
      const e = json.exercises[i + 1]!;
      const kinds = [e.error?.kind, ...e.checks.map((c) => c.errorKind)];
      const got =
        a.outcome === 'failed' ? e.status : kinds.includes(a.outcome) ? a.outcome : `${e.status} ${kinds.join(',')}`;
      return { attack: a.name, score: e.score, outcome: got };
    });
    expect(outcomes).toEqual(ATTACKS.map((a) => ({ attack: a.name, score: 0, outcome: a.outcome })));
    expect(watched.map(fingerprint)).toEqual(before);
  },
);

/** The CLI grading the fixture course's endless-loop submission, to be signalled. */
function gradeEndlessLoop(args: string[]) {
  return execa(
    process.execPath,
    [
      ...['--import', 'tsx', 'graders/cli/main.ts'],
      ...['--course', fixture, '--submission', submission('infinite-loop'), '--timeout', '60', ...args],
    ],
    // execa would follow SIGTERM with SIGKILL after 5 s: on a loaded machine the CLI can take
    // longer than that to write its reports, and the test would measure the machine.
    { cwd: repo, reject: false, env: { NO_COLOR: '1', LANG: 'C' }, forceKillAfterDelay: false },
  );
}

test(
  'SIGTERM to the CLI still writes a schema-valid report, marks what was cut short, exit 130',
  { timeout: 120_000 },
  async () => {
    const report = join(mkdtempSync(join(tmpdir(), 'torchlings-sigterm-')), 'r.json');
    const run = gradeEndlessLoop(['--json', report]);
    // Once its run folder exists (named `<time>-<pid>-…`, see target.ts: other test files grade at the
    // same time) the CLI is grading, its signal handlers in place; then let 01 spin.
    const runs = join(repo, '.torchlings', 'runs');
    const ours = (d: string) => d.split('-')[1] === String(run.pid);
    while (!existsSync(runs) || !readdirSync(runs).some(ours)) await sleep(100);
    await sleep(2000);
    run.kill('SIGTERM');
    const r = await run;
    expect(r.exitCode).toBe(130);
    const json = JSON.parse(readFileSync(report, 'utf8')) as Report;
    const ajv = new Ajv({ allErrors: true, strict: false });
    expect(ajv.validate(reportSchema, json), ajv.errorsText()).toBe(true);
    expect(json.exercises.find((e) => e.id === '01')!.error?.message.en).toContain('interrupted');
  },
);

/**
 * The node processes `ppid` started (the grading children; not esbuild's service or the sentinel
 * shells), by executable: Node 24 names its main thread, so `comm` reads MainThread there.
 */
function nodeChildrenOf(ppid: number): number[] {
  const node = realpathSync(process.execPath);
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return stat(pid)?.ppid === ppid && readlinkSync(`/proc/${pid}/exe`) === node;
      } catch {
        return false; // gone meanwhile
      }
    });
}

/** A process that exists and is not a zombie waiting to be reaped. */
const alive = (pid: number): boolean => {
  const s = stat(pid);
  return s !== undefined && s.state !== 'Z';
};

function stat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = line.slice(line.lastIndexOf(')') + 2).split(' ');
    return { state: state!, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

test.runIf(existsSync('/proc/self/stat'))(
  'SIGKILL to the CLI (no handler runs) still ends the grading processes it started',
  { timeout: 120_000 },
  async () => {
    const run = gradeEndlessLoop([]);
    let grading: number[] = [];
    while ((grading = nodeChildrenOf(run.pid!)).length === 0) await sleep(100);
    run.kill('SIGKILL');
    await run;
    try {
      for (let waited = 0; grading.some(alive) && waited < 30_000; waited += 100) await sleep(100);
      expect(grading.filter(alive)).toEqual([]);
    } finally {
      for (const pid of grading.filter(alive)) process.kill(-pid, 'SIGKILL');
    }
  },
);
