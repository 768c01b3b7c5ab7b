import { stripVTControlCharacters } from 'node:util';

// Korean is drawn two columns wide; padding by string length would misalign every Korean report.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of stripVTControlCharacters(s)) w += WIDE.test(ch) ? 2 : 1;
  return w;
}

export const padEnd = (s: string, width: number): string => s + ' '.repeat(Math.max(0, width - displayWidth(s)));

/** Breaks plain text at spaces into lines of at most `width` columns (a longer word gets a line of its own). */
export function wrap(s: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of s.split(' ')) {
    const joined = line === '' ? word : `${line} ${word}`;
    if (line !== '' && displayWidth(joined) > width) {
      lines.push(line);
      line = word;
    } else line = joined;
  }
  return [...lines, line];
}

/** `left` and `right` on one line, `right` ending at column `width` (or just after `left` if it is long). */
export function spread(left: string, right: string, width: number): string {
  return left + ' '.repeat(Math.max(2, width - displayWidth(left) - displayWidth(right))) + right;
}
