import { watch as watchDir, watchFile, unwatchFile, type FSWatcher } from 'node:fs';
import { join, relative } from 'node:path';
import { pick, text } from '../lib/text.ts';
import type { Options } from './args.ts';
import { grade } from './grade.ts';
import { folder, type Course, type Exercise } from './manifest.ts';
import { progressBar } from './render/progress.ts';
import { renderReport } from './render/terminal.ts';
import { gradedPass, words } from './render/words.ts';
import type { ExerciseResult, Report } from './results.ts';

const DEBOUNCE_MS = 150;
const POLL_MS = 400;

/**
 * rustlings-style: grade the first unfinished exercise, re-grade it on every save, and move on to the
 * next one as soon as it passes. Returns the exit code once every exercise passes.
 */
export async function watch(course: Course, exercises: Exercise[], opts: Options): Promise<number> {
  const status = new Map<string, ExerciseResult['status']>();
  // The first pass grades every exercise to find where the learner is: say so at once, not after it.
  const n = exercises.length;
  process.stdout.write(
    pick(
      text(
        `torchlings · grading ${n} exercise(s) to find where you are…\n`,
        `torchlings · 어디까지 했는지 연습문제 ${n}개를 채점하는 중…\n`,
      ),
      opts.lang,
    ),
  );
  const progress = progressBar(opts.lang);
  for (const e of (await grade(course, exercises, { ...opts, ...progress })).exercises) status.set(e.id, e.status);
  for (;;) {
    const current = exercises.find((e) => status.get(e.id) !== 'passed');
    if (!current) {
      const done = opts.selection.length > 0 ? gradedPass(exercises.map(folder)) : words.allDone;
      process.stdout.write(`\n${pick(done, opts.lang)}. ${pick(text('well done!', '수고하셨습니다!'), opts.lang)}\n`);
      return 0;
    }
    const dir = join(course.root, 'exercises', folder(current));
    const changed = nextChange(dir, current.files, opts.poll); // armed before grading: no save is missed
    process.stdout.write(pick(text(`grading ${folder(current)}…\n`, `${folder(current)} 채점 중…\n`), opts.lang));
    const report = await grade(course, [current], { ...opts, ...progress });
    status.set(current.id, report.exercises[0]!.status);
    show(report, opts, dir);
    if (report.passed) {
      changed.cancel();
      continue;
    }
    await changed.promise;
  }
}

function show(report: Report, opts: Options, absDir: string): void {
  const dir = relative(process.cwd(), absDir) || '.';
  if (process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
  process.stdout.write(
    renderReport(report, {
      lang: opts.lang,
      color: opts.color,
      width: 78,
      verbose: true,
      footer: false,
      selection: true,
    }),
  );
  process.stdout.write(
    pick(
      text(
        `\nwatching ${dir}/ · save a file to re-grade · Ctrl-C to stop\n`,
        `\n${dir}/ 지켜보는 중 · 파일을 저장하면 다시 채점 · 끝내려면 Ctrl-C\n`,
      ),
      opts.lang,
    ),
  );
}

interface Change {
  promise: Promise<void>;
  cancel(): void;
}

/** Resolves on the first change to one of `files`; fs.watch where it works, polling where it does not. */
function nextChange(dir: string, files: string[], poll: boolean): Change {
  let stop = (): void => {};
  const promise = new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const fire = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        stop();
        resolve();
      }, DEBOUNCE_MS); // editors save in bursts
    };
    let watcher: FSWatcher | undefined;
    if (!poll) {
      try {
        watcher = watchDir(dir, (_, name) => {
          if (name && files.includes(name.toString())) fire();
        });
        watcher.on('error', () => {
          watcher?.close();
          stop = startPolling(dir, files, fire);
        });
      } catch {
        watcher = undefined; // e.g. ENOSPC, or a network file system: poll instead
      }
    }
    stop = watcher ? () => watcher.close() : startPolling(dir, files, fire);
  });
  return { promise, cancel: () => stop() };
}

function startPolling(dir: string, files: string[], fire: () => void): () => void {
  const paths = files.map((f) => join(dir, f));
  for (const p of paths) watchFile(p, { interval: POLL_MS }, (now, before) => now.mtimeMs !== before.mtimeMs && fire());
  return () => paths.forEach((p) => unwatchFile(p));
}
