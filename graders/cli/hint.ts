// `npm run hint -- 03`: the manifest's hints for one exercise, with where to read more.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { langFromEnv, pick, text, type Lang } from '../lib/text.ts';
import { findExercise, folder, loadCourse, type Exercise } from './manifest.ts';

function renderHints(e: Exercise, lang: Lang): string {
  const t = (en: string, ko: string): string => pick(text(en, ko), lang);
  const dir = `exercises/${folder(e)}`;
  return [
    `${folder(e)} · ${pick(e.title, lang)}`,
    '',
    ...e.hints.map((h, i) => `  ${i + 1}. ${pick(h, lang)}`),
    '',
    `${t('guide', '가이드')}: ${e.guide.join(', ')}`,
    `${t('problem', '문제')}: ${dir}/README.md`,
    `${t('your files', '작성할 파일')}: ${e.files.map((f) => `${dir}/${f}`).join(', ')}`,
    '',
  ].join('\n');
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { lang: { type: 'string' }, course: { type: 'string' } },
});
const lang = values.lang === 'ko' || values.lang === 'en' ? values.lang : langFromEnv();
const course = loadCourse(resolve(values.course ?? fileURLToPath(new URL('../..', import.meta.url))));
const exercise = positionals[0] ? findExercise(course, positionals[0]) : undefined;
if (exercise) process.stdout.write(renderHints(exercise, lang));
else {
  process.stderr.write(
    `usage: npm run hint -- EXERCISE   (one of: ${course.manifest.exercises.map((e) => e.id).join(', ')})\n`,
  );
  process.exitCode = 2;
}
