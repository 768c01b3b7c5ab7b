import { appendFile } from 'node:fs/promises';
import { formatLocation } from '../../lib/location.ts';
import { pick, type Lang } from '../../lib/text.ts';
import type { Report } from '../results.ts';

// GitHub Classroom's autograding reporter (classroom-resources/autograding-grading-reporter@v1)
// reads, for each runner id R in its `runners` input, the environment variable R_RESULTS: base64
// of this JSON, the format its own runners (autograding-command-grader …) write. It sums the tests'
// `score` and the runners' `max_score`, so every check is a test carrying the points it earned.

export interface ClassroomTest {
  name: string;
  status: 'pass' | 'fail' | 'error';
  message: string;
  test_code: string;
  filename: string;
  line_no: number;
  duration: number;
  score: number;
}

export interface ClassroomResults {
  version: 1;
  status: 'pass' | 'fail' | 'error';
  max_score: number;
  tests: ClassroomTest[];
}

export function toClassroom(report: Report, lang: Lang): ClassroomResults {
  const tests = report.exercises.flatMap((e): ClassroomTest[] =>
    e.checks.length > 0
      ? e.checks.map((c) => ({
          name: `${e.folder} · ${pick(c.title, lang)} (${c.score}/${c.points})`,
          status: c.status === 'passed' ? 'pass' : c.status === 'error' ? 'error' : 'fail',
          message: [
            ...(c.status === 'not-started' ? ['not started'] : []),
            ...c.message.map((m) => pick(m, lang)),
            ...(c.status !== 'passed' ? [`hint: ${pick(c.hint, lang)} (${c.guide})`] : []),
          ].join('\n'),
          test_code: `npm run grade -- ${e.id}`,
          filename: c.location?.file ?? '',
          line_no: c.location?.line ?? 0,
          duration: c.durationMs ?? 0,
          score: c.score,
        }))
      : [
          {
            name: `${e.folder} · ${pick(e.title, lang)} (0/${e.maxScore})`,
            status: 'error',
            message: e.error ? pick(e.error.message, lang) : 'not graded',
            test_code: `npm run grade -- ${e.id}`,
            filename: e.error?.location ? formatLocation(e.error.location) : '',
            line_no: e.error?.location?.line ?? 0,
            duration: e.durationMs,
            score: 0,
          },
        ],
  );
  return {
    version: 1,
    status: report.passed ? 'pass' : tests.some((t) => t.status === 'error') ? 'error' : 'fail',
    max_score: report.maxScore,
    tests,
  };
}

/** `result=<base64>` appended to $GITHUB_OUTPUT: the step's `outputs.result`, as the workflow passes on. */
export async function writeClassroomOutput(report: Report, lang: Lang, file: string): Promise<void> {
  const payload = Buffer.from(JSON.stringify(toClassroom(report, lang))).toString('base64');
  await appendFile(file, `result=${payload}\n`);
}
