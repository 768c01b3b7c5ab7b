// `npm run hint -- 03`: the manifest's hints for one exercise, one more on each call (as rustlings
// gives them), with where to read more. How many were shown is kept in .torchlings/hints.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { langFromEnv, pick, text, type Lang } from '../lib/text.ts';
import { findExercise, folder, loadCourse, type Exercise } from './manifest.ts';

function renderHints(e: Exercise, shown: number, lang: Lang): string {
  const t = (en: string, ko: string): string => pick(text(en, ko), lang);
  const dir = `exercises/${folder(e)}`;
  const total = e.hints.length;
  const more =
    shown < total
      ? t(
          `hint ${shown} of ${total}: run the same command again for the next, nearer the answer (--all for every one)`,
          `힌트 ${total}개 중 ${shown}번째: 같은 명령을 다시 실행하면 답에 더 가까운 다음 힌트가 나옵니다 (--all: 전부)`,
        )
      : t(`every hint shown (${total}); --reset starts again`, `힌트 ${total}개를 모두 보았습니다; --reset: 처음부터`);
  return [
    `${folder(e)} · ${pick(e.title, lang)}`,
    '',
    ...e.hints.slice(0, shown).map((h, i) => `  ${i + 1}. ${pick(h, lang)}`),
    '',
    more,
    `${t('guide', '가이드')}: ${e.guide.join(', ')}`,
    `${t('problem', '문제')}: ${dir}/README.md`,
    `${t('your files', '작성할 파일')}: ${e.files.map((f) => `${dir}/${f}`).join(', ')}`,
    '',
  ].join('\n');
}

/** How many hints of each exercise were shown: { "03": 2 }. A missing or damaged file is a fresh start. */
function readShown(path: string): Record<string, number> {
  try {
    const data: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return typeof data === 'object' && data !== null ? (data as Record<string, number>) : {};
  } catch {
    return {};
  }
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    lang: { type: 'string' },
    course: { type: 'string' },
    all: { type: 'boolean', default: false },
    reset: { type: 'boolean', default: false },
  },
});
const lang = values.lang === 'ko' || values.lang === 'en' ? values.lang : langFromEnv();
const course = loadCourse(resolve(values.course ?? fileURLToPath(new URL('../..', import.meta.url))));
const exercise = positionals[0] ? findExercise(course, positionals[0]) : undefined;
if (exercise) {
  const store = join(course.root, '.torchlings', 'hints.json');
  const seen = readShown(store);
  const before = values.reset ? 0 : Number(seen[exercise.id] ?? 0);
  const shown = values.all ? exercise.hints.length : Math.min(exercise.hints.length, before + 1);
  mkdirSync(dirname(store), { recursive: true });
  writeFileSync(store, JSON.stringify({ ...seen, [exercise.id]: shown }, null, 2) + '\n');
  process.stdout.write(renderHints(exercise, shown, lang));
} else {
  process.stderr.write(
    `usage: npm run hint -- EXERCISE [--all] [--reset]   (one of: ${course.manifest.exercises.map((e) => e.id).join(', ')})\n`,
  );
  process.exitCode = 2;
}
