// `npm run solution -- 03`: rustlings' way to the worked solution: shown once your exercise passes.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { langFromEnv, pick, text, type Lang } from '../lib/text.ts';
import { grade } from './grade.ts';
import { findExercise, folder, loadCourse } from './manifest.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { lang: { type: 'string' }, course: { type: 'string' } },
});
const lang: Lang = values.lang === 'ko' || values.lang === 'en' ? values.lang : langFromEnv();
const say = (en: string, ko: string): string => pick(text(en, ko), lang) + '\n';
const course = loadCourse(resolve(values.course ?? fileURLToPath(new URL('../..', import.meta.url))));
const exercise = positionals[0] ? findExercise(course, positionals[0]) : undefined;

if (!exercise) {
  const ids = course.manifest.exercises.map((e) => e.id).join(', ');
  process.stderr.write(`usage: npm run solution -- EXERCISE   (one of: ${ids})\n`);
  process.exit(2);
}
const report = await grade(course, [exercise], { kind: 'exercises', lang, jobs: 1, seed: 0, device: 'cpu' });
const result = report.exercises[0]!;
const dir = join(course.root, 'solutions', folder(exercise));
if (result.status !== 'passed') {
  process.stdout.write(
    say(
      `${folder(exercise)} does not pass yet (${result.score}/${result.maxScore}): the worked solution opens once it does. npm run grade -- ${exercise.id}`,
      `${folder(exercise)} 를 아직 통과하지 못했습니다 (${result.score}/${result.maxScore}): 통과하면 풀이를 볼 수 있습니다. npm run grade -- ${exercise.id}`,
    ),
  );
  process.exitCode = 1;
} else if (!exercise.files.every((f) => existsSync(join(dir, f)))) {
  // A learner's copy (course:export) holds no solutions: see exercises/README.md for why.
  process.stdout.write(
    say(
      `${folder(exercise)} passes. This copy of the course holds no worked solutions: your instructor publishes them.`,
      `${folder(exercise)} 통과. 이 과정 사본에는 풀이가 없습니다: 강사가 따로 공개합니다.`,
    ),
  );
} else {
  process.stdout.write(say(`${folder(exercise)} passes. The worked solution:`, `${folder(exercise)} 통과. 풀이:`));
  for (const f of exercise.files) {
    process.stdout.write(`\n── solutions/${folder(exercise)}/${f} ──\n${readFileSync(join(dir, f), 'utf8')}`);
  }
}
