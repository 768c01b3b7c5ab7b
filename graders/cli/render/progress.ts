import { pick, text, type Lang } from '../../lib/text.ts';

/**
 * A live "exercises graded" bar on stderr, drawn only on a terminal: a log file or a CI log gets the
 * report alone, and stdout stays clean for redirection.
 */
export function progressBar(
  lang: Lang,
  stream: NodeJS.WriteStream = process.stderr,
): ((done: number, total: number) => void) | undefined {
  if (!stream.isTTY) return undefined;
  const label = pick(text('grading', '채점 중'), lang);
  return (done, total) => {
    const filled = Math.round((20 * done) / Math.max(1, total));
    stream.write(`\r\x1b[2K  ${label} ${'█'.repeat(filled)}${'░'.repeat(20 - filled)} ${done}/${total}`);
    if (done === total) stream.write('\r\x1b[2K');
  };
}
