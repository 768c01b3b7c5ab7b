import type { GradeEvent } from '../../lib/events.ts';
import { pick, text, type Lang } from '../../lib/text.ts';
import { folder, type Exercise } from '../manifest.ts';
import { SYMBOL } from './terminal.ts';
import { displayWidth } from './width.ts';

export interface Progress {
  /** Exercises graded so far, of all. */
  onProgress(done: number, total: number): void;
  /** One exercise's grading events as they come: the check running now, and each failure at once. */
  onEvent(exercise: Exercise, event: GradeEvent): void;
}

/**
 * A live "exercises graded" bar on stderr, drawn only on a terminal: a log file or a CI log gets the
 * report alone, and stdout stays clean for redirection. The bar names the check running now; a check
 * that fails or errs gets a line of its own above the bar as soon as it ends, so that a quick
 * failure is seen before the long checks after it finish.
 */
export function progressBar(lang: Lang, stream: NodeJS.WriteStream = process.stderr): Progress | undefined {
  if (!stream.isTTY) return undefined;
  const label = pick(text('grading', '채점 중'), lang);
  let [done, total] = [0, 0];
  /** Per exercise being graded: its checks' titles, how many ended, the one running. */
  const running = new Map<string, { titles: Map<string, string>; ended: number; now?: string }>();
  const fit = (s: string): string => {
    const width = (stream.columns || 80) - 1;
    if (displayWidth(s) <= width) return s;
    let cut = s;
    while (displayWidth(`${cut}…`) > width) cut = cut.slice(0, -1);
    return `${cut}…`;
  };
  const draw = (): void => {
    const filled = Math.round((20 * done) / Math.max(1, total));
    const now = [...running].map(([name, r]) => ` · ${name} ${r.ended}/${r.titles.size}${r.now ? `: ${r.now}` : ''}`);
    stream.write(
      `\r\x1b[2K${fit(`  ${label} ${'█'.repeat(filled)}${'░'.repeat(20 - filled)} ${done}/${total}${now.join('')}`)}`,
    );
  };
  return {
    onProgress(d, t) {
      [done, total] = [d, t];
      if (done === total) {
        running.clear();
        stream.write('\r\x1b[2K');
      } else draw();
    },
    onEvent(exercise, event) {
      const name = folder(exercise);
      const r = running.get(name) ?? { titles: new Map<string, string>(), ended: 0 };
      running.set(name, r);
      if (event.type === 'check') r.titles.set(event.id, pick(event.title, lang));
      else if (event.type === 'start') r.now = r.titles.get(event.id);
      else if (event.type === 'result') {
        r.ended++;
        r.now = undefined;
        if (event.status === 'failed' || event.status === 'error') {
          const why = event.message[0] ? `: ${pick(event.message[0], lang)}` : '';
          stream.write(`\r\x1b[2K${fit(`  ${SYMBOL[event.status]} ${name} · ${r.titles.get(event.id)}${why}`)}\n`);
        }
      } else if (event.type === 'end') running.delete(name);
      draw();
    },
  };
}
