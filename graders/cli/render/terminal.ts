import { Chalk, type ChalkInstance } from 'chalk';
import { formatLocation } from '../../lib/location.ts';
import { pick, type Lang, type Text } from '../../lib/text.ts';
import type { CheckResult, ExerciseResult, Report } from '../results.ts';
import { displayWidth, padEnd, spread, wrap } from './width.ts';
import { errorWords, footer, gradedPass, header, hiddenTotal, total, unconfined, waiting, words } from './words.ts';

export interface RenderOptions {
  lang: Lang;
  color: boolean;
  /** Columns; the right-hand scores end here. */
  width: number;
  /** Show every exercise's checks, not only those that need work. */
  verbose: boolean;
  /** The "--watch … hint" line: only for a learner grading their own exercises. */
  footer: boolean;
  /** Some exercises were picked (`npm run grade -- 03`): never say "all exercises pass" of them. */
  selection: boolean;
}

export const SYMBOL = { passed: '✓', failed: '✗', 'not-started': '○', error: '!', skipped: '–' } as const;
const OUTPUT_LINES = 6;

type Say = (t: Text) => string;

/** The whole human report. Symbols and words carry every meaning, so it reads the same without colour. */
export function renderReport(report: Report, o: RenderOptions): string {
  const c = new Chalk({ level: o.color ? 1 : 0 });
  const t: Say = (x) => pick(x, o.lang);
  const lines = [c.bold(t(header(report.target.path, report.device, report.seed))), ''];
  if (!report.sandbox.permissionModel) lines.splice(1, 0, t(unconfined(report.sandbox.node)));
  const nameWidth = Math.max(...report.exercises.map((e) => displayWidth(e.folder)));
  for (const e of report.exercises) lines.push(tableRow(e, nameWidth, c, t));
  const detailed = report.exercises.filter(
    (e) => o.verbose || report.exercises.length === 1 || e.status === 'failed' || e.status === 'error',
  );
  for (const e of detailed) lines.push('', ...exerciseBlock(e, o, c, t));
  const passed = report.exercises.filter((e) => e.status === 'passed').length;
  lines.push('', c.bold(t(total(report.score, report.maxScore, passed, report.exercises.length))));
  if (report.hiddenMaxScore !== undefined)
    lines.push(c.bold(t(hiddenTotal(report.hiddenScore ?? 0, report.hiddenMaxScore))));
  const todo = report.exercises.find((e) => e.status !== 'passed');
  if (!todo) lines.push(c.green(t(o.selection ? gradedPass(report.exercises.map((e) => e.folder)) : words.allDone)));
  else {
    lines.push(`${t(words.next)}: ${nextStep(todo, report.target.path, t)}`);
    if (o.footer) lines.push(c.dim(t(footer(todo.id))));
  }
  return lines.join('\n') + '\n';
}

function tableRow(e: ExerciseResult, nameWidth: number, c: ChalkInstance, t: Say): string {
  const filled = e.score === e.maxScore ? 10 : Math.floor((10 * e.score) / Math.max(1, e.maxScore));
  const bar = c.green('█'.repeat(filled)) + c.dim('░'.repeat(10 - filled));
  const score = `${e.score}/${e.maxScore}`.padStart(7);
  const state =
    e.status === 'passed'
      ? c.green(t(words.done))
      : e.status === 'not-started'
        ? c.dim(t(words.notStarted))
        : e.error
          ? c.red(`${t(words.error)}: ${t(errorWords[e.error.kind])}`)
          : '';
  const hidden = e.hidden ? `  ${t(words.hidden)} ${e.hidden.score}/${e.hidden.maxScore}` : '';
  return `  ${padEnd(e.folder, nameWidth)}   ${bar} ${score}  ${state}${hidden}`.trimEnd();
}

function exerciseBlock(e: ExerciseResult, o: RenderOptions, c: ChalkInstance, t: Say): string[] {
  const lines = [spread(c.bold(`${e.folder} · ${t(e.title)}`), `${e.score}/${e.maxScore}`, o.width)];
  if (e.error) lines.push(c.red(`  ${SYMBOL.error} ${t(e.error.message)}`));
  if (e.error?.location) lines.push(c.dim(`    at ${formatLocation(e.error.location)}`));
  const hinted = e.checks.find((k) => k.status === 'failed' || k.status === 'error');
  // A skipped check that is not a held-back long one lacks a tool here (a browser): it says which.
  const waitingFor = (x: CheckResult): boolean => x.status === 'skipped' && x.expensive === true;
  for (const k of e.checks.filter((x) => !waitingFor(x))) {
    const suffix =
      k.status === 'not-started'
        ? `  ${t(words.notStarted)}`
        : k.status === 'error'
          ? `  ${t(k.errorKind ? errorWords[k.errorKind] : words.error)}`
          : '';
    const right = `${k.score}/${k.points}${suffix}`;
    // A long title wraps rather than losing its end: the end is often what the check is about.
    const [title, ...more] = wrap(t(k.title), o.width - displayWidth(right) - 8);
    const colour =
      k.status === 'passed' ? c.green : k.status === 'not-started' || k.status === 'skipped' ? c.dim : c.red;
    lines.push(spread(`  ${colour(SYMBOL[k.status])} ${title}`, right, o.width), ...more.map((m) => `    ${m}`));
    if (k.status === 'skipped') lines.push(...k.message.map((m) => c.dim(`      ${t(m)}`)));
    if (k.status === 'failed' || k.status === 'error') lines.push(...checkDetail(k, e, c, t));
    if (k === hinted) lines.push(c.cyan(`      ${t(words.hint)}: ${t(k.hint)}   ${t(words.guide)} ${k.guide}`));
  }
  // Long checks held back for the quick ones: one line, not one per check.
  const skipped = e.checks.filter(waitingFor);
  if (skipped.length > 0) {
    const points = skipped.reduce((s, k) => s + k.points, 0);
    lines.push(
      c.dim(
        `  ${SYMBOL.skipped} ${t(
          waiting(
            skipped.map((k) => k.id),
            points,
          ),
        )}`,
      ),
    );
  }
  // Hidden checks: one line each; their messages only when the instructor asked (--show-hidden).
  for (const k of e.hidden?.checks ?? []) {
    const colour = k.status === 'passed' ? c.green : k.status === 'not-started' ? c.dim : c.red;
    const right = `${k.score}/${k.points}`;
    const [title, ...more] = wrap(t(k.title), o.width - 16);
    lines.push(spread(`  ${colour(SYMBOL[k.status])} ${title}`, right, o.width), ...more.map((m) => `    ${m}`));
    lines.push(...k.message.map((m) => `      ${t(m)}`));
  }
  return lines;
}

function checkDetail(k: CheckResult, e: ExerciseResult, c: ChalkInstance, t: Say): string[] {
  // A file that failed to load is said once, at the top of the exercise, not under every check.
  if (e.error && k.message.length === 1 && k.message[0]!.en === e.error.message.en) return [];
  const lines = k.message.map((m) => `      ${t(m)}`);
  if (k.location) lines.push(c.dim(`      at ${formatLocation(k.location)}`));
  if (k.output) {
    const out = k.output.trimEnd().split('\n');
    lines.push(c.dim(`      ${t(words.output)}:`), ...out.slice(0, OUTPUT_LINES).map((l) => c.dim(`      │ ${l}`)));
    if (out.length > OUTPUT_LINES) lines.push(c.dim(`      │ … (+${out.length - OUTPUT_LINES})`));
  }
  return lines;
}

/** Where to go now: the learner's own file and line when known, and what to write or fix there. */
function nextStep(e: ExerciseResult, target: string, t: Say): string {
  if (e.error?.location) return `${formatLocation(e.error.location)}, ${t(errorWords[e.error.kind])}`;
  const k = e.checks.find((x) => x.status !== 'passed');
  const where = k?.location ? formatLocation(k.location) : `${target}/${e.folder}/`;
  return k ? `${where}, ${k.todo ?? t(k.title)}` : where;
}
