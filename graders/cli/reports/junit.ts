import { formatLocation } from '../../lib/location.ts';
import { pick, type Lang } from '../../lib/text.ts';
import type { CheckResult, ExerciseResult, Report } from '../results.ts';

// JUnit XML as CI systems read it: one <testsuite> per exercise, one <testcase> per check. A
// not-started check is a <failure type="not-started">, not a <skipped>: for grading, unwritten code
// has not passed. A long check held back until the quick ones pass (quick-first) is <skipped>: it
// was not run. Score and points ride along as <properties>.

export function toJUnit(report: Report, lang: Lang): string {
  // Hidden checks form a suite of their own per exercise, `NN-slug (hidden)`.
  const suites = report.exercises.flatMap((e) =>
    e.hidden
      ? [
          e,
          {
            ...e,
            ...e.hidden,
            folder: `${e.folder} (hidden)`,
            checks: e.hidden.checks,
            ...(e.hidden.error ? { error: e.hidden.error } : { error: undefined }),
          },
        ]
      : [e],
  );
  const all = suites.flatMap((e) => e.checks);
  const count = (s: CheckResult['status'] | 'failure') =>
    all.filter((c) => (s === 'failure' ? c.status === 'failed' || c.status === 'not-started' : c.status === s)).length;
  const ungraded = suites.filter((e) => e.checks.length === 0).length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="torchlings" tests="${all.length + ungraded}" failures="${count('failure')}" errors="${count('error') + ungraded}" skipped="${count('skipped')}" time="${secs(report.durationMs)}">`,
    ...suites.flatMap((e) => suite(e, lang)),
    '</testsuites>',
  ];
  return lines.join('\n') + '\n';
}

function suite(e: ExerciseResult, lang: Lang): string[] {
  const failures = e.checks.filter((c) => c.status === 'failed' || c.status === 'not-started').length;
  const errors = e.checks.filter((c) => c.status === 'error').length + (e.checks.length === 0 ? 1 : 0);
  const skipped = e.checks.filter((c) => c.status === 'skipped').length;
  const cases = e.checks.length > 0 ? e.checks.map((c) => testcase(e, c, lang)) : [ungraded(e, lang)];
  return [
    `  <testsuite name="${attr(e.folder)}" tests="${Math.max(1, e.checks.length)}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${secs(e.durationMs)}">`,
    '    <properties>',
    `      <property name="score" value="${e.score}"/>`,
    `      <property name="maxScore" value="${e.maxScore}"/>`,
    `      <property name="status" value="${e.status}"/>`,
    ...(e.error ? [`      <property name="error" value="${attr(pick(e.error.message, lang))}"/>`] : []),
    '    </properties>',
    ...cases.flat(),
    '  </testsuite>',
  ];
}

function testcase(e: ExerciseResult, c: CheckResult, lang: Lang): string[] {
  const open = `    <testcase classname="${attr(e.folder)}" name="${attr(`${c.id}: ${pick(c.title, lang)}`)}" time="${secs(c.durationMs ?? 0)}"`;
  if (c.status === 'passed' && !c.output) return [`${open}/>`];
  if (c.status === 'skipped')
    return [`${open}>`, `      <skipped message="${attr(pick(c.message[0]!, lang))}"/>`, '    </testcase>'];
  const body = [
    ...c.message.map((m) => pick(m, lang)),
    ...(c.location ? [`at ${formatLocation(c.location)}`] : []),
    ...(c.guide !== '' ? [`hint: ${pick(c.hint, lang)} (${c.guide})`] : []),
  ].join('\n');
  const first = c.status === 'not-started' ? 'not started' : pick(c.message[0] ?? { en: c.status, ko: c.status }, lang);
  const tag = c.status === 'error' ? 'error' : 'failure';
  const type = c.status === 'error' ? (c.errorKind ?? 'error') : c.status;
  return [
    `${open}>`,
    ...(c.status === 'passed' ? [] : [`      <${tag} message="${attr(first)}" type="${type}">${text(body)}</${tag}>`]),
    ...(c.output ? [`      <system-out>${text(c.output)}</system-out>`] : []),
    '    </testcase>',
  ];
}

function ungraded(e: ExerciseResult, lang: Lang): string[] {
  const message = e.error ? pick(e.error.message, lang) : 'not graded';
  return [
    `    <testcase classname="${attr(e.folder)}" name="grading" time="${secs(e.durationMs)}">`,
    `      <error message="${attr(message)}" type="${e.error?.kind ?? 'error'}"/>`,
    '    </testcase>',
  ];
}

const secs = (ms: number): string => (ms / 1000).toFixed(3);

// XML 1.0 forbids most control characters even when escaped; a learner's output may contain any.
const clean = (s: string): string => s.replace(/[^\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/gu, '�');
const text = (s: string): string => clean(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const attr = (s: string): string => text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
