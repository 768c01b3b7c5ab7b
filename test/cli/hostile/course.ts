import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repo } from '../helpers.ts';

// A throw-away course with one exercise per attack, inside this checkout (its graders import #kit
// and #engine through the checkout's package.json), and a student's checkout outside it. Every
// exercise has the same three checks; a correct answer scores 3, the wrong one every attack ships
// with scores 0, so an attack that raised a score shows at once.

export const ANSWER = 'answer.ts';

/** The correct answer: what the course's solutions/ hold, and what the clean exercise submits. */
export const CORRECT = `import * as torch from '#engine';
export const add = (a: number, b: number): number => a + b;
export const total = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);
export const double = (t: torch.Tensor): torch.Tensor => t.mul(2);
`;

/** Wrong everywhere; each attack adds its cheat to it. */
export const WRONG = `import * as torch from '#engine';
export const add = (a: number, b: number): number => a - b;
export const total = (xs: number[]): number => xs.length;
export const double = (t: torch.Tensor): torch.Tensor => t;
`;

const grader = (folder: string): string => `import * as torch from '#engine';
import { check, expectClose, expectEqual, loadTarget, text } from '#kit/grader';

interface Answer {
  add(a: number, b: number): unknown;
  total(xs: number[]): unknown;
  double(t: torch.Tensor): unknown;
}
const target = () => loadTarget<Answer>('${folder}', '${ANSWER}');
const spec = (id: string) => ({ id, points: 1, title: text(id, id), hint: text('-', '-'), guide: '§1' });

check(spec('add'), async () => {
  await expectEqual((await target()).add(2, 3), 5, 'add(2, 3)');
});
check(spec('total'), async ({ rng }) => {
  const xs = rng.array(5, -1, 1);
  await expectClose((await target()).total(xs), xs.reduce((s, x) => s + x, 0), { what: 'total(xs)' });
});
check(spec('double'), async ({ rng }) => {
  const x = torch.tensor(rng.array(4, -1, 1));
  await expectClose((await target()).double(x), x.mul(2), { what: 'double(x)' });
});
`;

export interface HostileCourse extends Omit<Paths, 'folder'> {
  root: string;
  folders: string[];
}

/** Exercise 00 is the clean one; 01… take `answers` in order. */
export function makeCourse(answers: ((p: Paths) => string)[]): HostileCourse {
  const base = join(repo, '.torchlings');
  mkdirSync(base, { recursive: true });
  const root = mkdtempSync(join(base, 'hostile-course-'));
  const submission = mkdtempSync(join(tmpdir(), 'torchlings-hostile-'));
  const out = mkdtempSync(join(tmpdir(), 'torchlings-hostile-out-'));
  const folders = ['00-clean', ...answers.map((_, i) => `${String(i + 1).padStart(2, '0')}-attack`)];
  const paths: Omit<Paths, 'folder'> = {
    course: root,
    submission,
    report: join(out, 'report.json'),
    mark: join(out, 'mark.txt'),
    cleanGrader: join(root, 'graders', '00-clean.grader.ts'),
    cleanSolution: join(root, 'solutions', '00-clean', ANSWER),
  };
  const exercises = folders.map((folder) => {
    const [id, slug] = folder.split('-') as [string, string];
    for (const dir of ['graders', `solutions/${folder}`, `exercises/${folder}`])
      mkdirSync(join(root, dir), { recursive: true });
    writeFileSync(join(root, 'graders', `${folder}.grader.ts`), grader(folder));
    writeFileSync(join(root, 'solutions', folder, ANSWER), CORRECT);
    writeFileSync(join(root, 'exercises', folder, ANSWER), WRONG);
    mkdirSync(join(submission, 'exercises', folder), { recursive: true });
    const answer = id === '00' ? CORRECT : answers[Number(id) - 1]!({ ...paths, folder });
    writeFileSync(join(submission, 'exercises', folder, ANSWER), answer);
    return {
      id,
      slug,
      title: { en: folder, ko: folder },
      files: [ANSWER],
      guide: ['§1'],
      points: 3,
      timeoutSeconds: 15,
      memoryMB: 256,
      grader: `graders/${folder}.grader.ts`,
      hints: [{ en: '-', ko: '-' }],
    };
  });
  writeFileSync(
    join(root, 'exercises', 'manifest.json'),
    JSON.stringify({ course: { en: 'hostile', ko: 'hostile' }, exercises }, null, 2),
  );
  return { ...paths, root, folders };
}

/** Absolute paths an attack may aim at, spliced into its source as JSON strings. */
export interface Paths {
  course: string;
  submission: string;
  report: string;
  /** A file no grading may create: a detached writer's trace. */
  mark: string;
  cleanGrader: string;
  cleanSolution: string;
  /** The attacking exercise's own folder name, `07-attack`. */
  folder: string;
}
