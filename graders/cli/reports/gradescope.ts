import { formatLocation } from '../../lib/location.ts';
import { pick, type Lang } from '../../lib/text.ts';
import type { CheckResult, ExerciseResult, Report } from '../results.ts';

// Gradescope's autograder results.json (checked against graders/schemas/gradescope.schema.json).
// One test per check; an exercise that could not be graded at all becomes one failed test carrying
// its points, so that max_score never shrinks when a submission breaks.

export interface GradescopeTest {
  name: string;
  number: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
  /** Hidden checks' results reach the student only once the instructor publishes the grades. */
  visibility: 'visible' | 'after_published';
}

export interface GradescopeResults {
  score: number;
  max_score: number;
  execution_time: number;
  output: string;
  output_format: 'text';
  visibility: 'visible';
  stdout_visibility: 'hidden';
  tests: GradescopeTest[];
}

export function toGradescope(report: Report, lang: Lang): GradescopeResults {
  const tests = report.exercises.flatMap((e) => [
    ...(e.checks.length > 0 ? e.checks.map((c, i) => checkTest(e, c, i, lang)) : [ungradedTest(e, lang)]),
    ...(e.hidden?.checks ?? []).map((c, i) => ({
      ...checkTest({ ...e, folder: `${e.folder} (hidden)` }, c, i, lang),
      number: `${e.id}.h${i + 1}`,
      visibility: 'after_published' as const,
    })),
  ]);
  const errors = report.exercises.filter((e) => e.error).map((e) => `${e.folder}: ${pick(e.error!.message, lang)}`);
  return {
    score: report.score + (report.hiddenScore ?? 0),
    max_score: report.maxScore + (report.hiddenMaxScore ?? 0),
    execution_time: Math.round(report.durationMs / 1000),
    output: [`torchlings · ${report.target.path} · seed ${report.seed} · ${report.device}`, ...errors].join('\n'),
    output_format: 'text',
    visibility: 'visible',
    stdout_visibility: 'hidden',
    tests,
  };
}

function checkTest(e: ExerciseResult, c: CheckResult, i: number, lang: Lang): GradescopeTest {
  const lines = [
    ...(c.status === 'not-started' ? [lang === 'ko' ? '시작 전' : 'not started'] : []),
    ...(c.status === 'skipped' ? [lang === 'ko' ? '건너뜀' : 'skipped'] : []),
    ...c.message.map((m) => pick(m, lang)),
    ...(c.location ? [`at ${formatLocation(c.location)}`] : []),
    ...(c.status !== 'passed' && c.guide !== ''
      ? [`${lang === 'ko' ? '힌트' : 'hint'}: ${pick(c.hint, lang)} (${c.guide})`]
      : []),
    ...(c.output ? ['', c.output] : []),
  ];
  return {
    name: `${e.folder} · ${pick(c.title, lang)}`,
    number: `${e.id}.${i + 1}`,
    score: c.score,
    max_score: c.points,
    status: c.status === 'passed' ? 'passed' : 'failed',
    output: lines.join('\n'),
    visibility: 'visible',
  };
}

function ungradedTest(e: ExerciseResult, lang: Lang): GradescopeTest {
  return {
    name: `${e.folder} · ${pick(e.title, lang)}`,
    number: `${e.id}.0`,
    score: 0,
    max_score: e.maxScore,
    status: 'failed',
    output: e.error ? pick(e.error.message, lang) : '',
    visibility: 'visible',
  };
}
