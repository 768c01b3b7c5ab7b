// `npm run grade`: parse options, grade, write the machine reports, print the human one.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseOptions, UsageError, USAGE, type Options } from './args.ts';
import { gradeClass, students } from './class/class.ts';
import { classProgress } from './class/progress.ts';
import { gradeWithHidden } from './hidden.ts';
import { findExercise, loadCourse, ManifestError, type Course, type Exercise } from './manifest.ts';
import { progressBar } from './render/progress.ts';
import { renderReport } from './render/terminal.ts';
import { writeClassroomOutput } from './reports/classroom.ts';
import { writeReports } from './reports/write.ts';
import { killAll } from './run-exercise.ts';
import { watch } from './watch.ts';

// The first ^C or SIGTERM stops grading and still writes the reports (what finished, and what was
// interrupted), exit code 130; a second one ends at once. Grading runs in detached process groups
// that a terminal's ^C does not reach: killAll() ends them.
const interrupt = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killAll();
    if (interrupt.signal.aborted || watching) process.exit(130);
    interrupt.abort();
  });
}
let watching = false;

try {
  const opts = parseOptions(process.argv.slice(2));
  if (opts === 'help') {
    process.stdout.write(USAGE);
  } else {
    const course = loadCourse(opts.course);
    const exercises = select(course, opts);
    if (opts.hidden && !existsSync(opts.hidden)) throw new UsageError(`no hidden checks folder ${opts.hidden}`);
    watching = opts.watch;
    process.exitCode = opts.classDir
      ? await gradeWholeClass(course, exercises, opts)
      : opts.watch
        ? await watch(course, exercises, opts)
        : await gradeOnce(course, exercises, opts);
  }
} catch (e) {
  process.exitCode = explain(e);
}

async function gradeOnce(course: Course, exercises: Exercise[], opts: Options): Promise<number> {
  const progress = progressBar(opts.lang);
  const report = await gradeWithHidden(course, exercises, {
    ...opts,
    ...progress,
    signal: interrupt.signal,
  });
  await writeReports(report, opts);
  if (opts.githubOutput) await writeClassroomOutput(report, opts.lang, opts.githubOutput);
  const width = process.stdout.isTTY ? Math.min(100, Math.max(60, process.stdout.columns)) : 78;
  process.stdout.write(
    renderReport(report, {
      lang: opts.lang,
      color: opts.color,
      width,
      verbose: opts.verbose,
      footer: opts.kind === 'exercises',
      selection: opts.selection.length > 0,
    }),
  );
  return interrupt.signal.aborted ? 130 : report.passed ? 0 : 1;
}

async function gradeWholeClass(course: Course, exercises: Exercise[], opts: Options): Promise<number> {
  if (!existsSync(opts.classDir!)) throw new UsageError(`no class folder ${opts.classDir}`);
  const started = Date.now();
  const progress = classProgress(students(opts.classDir!, opts.shard).length);
  const rows = await gradeClass(course, exercises, {
    ...opts,
    classDir: opts.classDir!,
    onStudent: progress.onStudent,
  });
  progress.stop();
  const minutes = (Date.now() - started) / 60_000;
  const count = (s: string) => rows.filter((r) => r.status === s).length;
  process.stdout.write(
    `${rows.length} students graded in ${(minutes * 60).toFixed(1)} s (${(rows.length / minutes).toFixed(1)} per minute): ` +
      `${count('passed')} passed, ${count('incomplete')} incomplete, ${count('error')} with errors, ${count('broken')} broken\n` +
      `${join(opts.out, 'grades.csv')}, reports in ${join(opts.out, 'students')}/\n`,
  );
  return 0; // a broken folder is a row of grades.csv, not a failure of the run
}

function select(course: Course, opts: Options): Exercise[] {
  if (opts.kind === 'submission' && !existsSync(join(opts.submission!, 'exercises'))) {
    throw new UsageError(`${opts.submission} has no exercises/ folder to grade`);
  }
  if (opts.selection.length === 0) return course.manifest.exercises;
  return opts.selection.map((key) => {
    const found = findExercise(course, key);
    if (!found)
      throw new UsageError(`no exercise ${key}; try one of: ${course.manifest.exercises.map((e) => e.id).join(', ')}`);
    return found;
  });
}

/** Exit 2 for a mistake in how the kit was called; 3 for a fault in the kit itself. */
function explain(e: unknown): number {
  const usage =
    e instanceof UsageError ||
    e instanceof ManifestError ||
    (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  if (usage) {
    process.stderr.write(
      `torchlings: ${(e as Error).message}\n${e instanceof ManifestError ? '' : 'npm run grade -- --help for usage\n'}`,
    );
    return 2;
  }
  // Learners never need the kit's own stack; kit developers can ask for it.
  process.stderr.write(`torchlings: internal error: ${(e as Error)?.message ?? e}\n`);
  if (process.env.TORCHLINGS_DEBUG) process.stderr.write(`${(e as Error)?.stack}\n`);
  else process.stderr.write('(TORCHLINGS_DEBUG=1 shows where)\n');
  return 3;
}
