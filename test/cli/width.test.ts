import { expect, test } from 'vitest';
import { displayWidth, wrap } from '../../graders/cli/render/width.ts';

test('a long check title wraps at spaces, losing nothing, each line within the width', () => {
  const title = 'flattenBatch: [B, 1, 28, 28] → [B, 784] as a view, any B';
  const lines = wrap(title, 40);
  expect(lines.join(' ')).toBe(title);
  expect(lines.length).toBe(2);
  for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(40);
  expect(wrap('short', 40)).toEqual(['short']);
  // Korean is two columns a character: 뷰 counts 2.
  expect(wrap('[B, 784] 뷰, 모든 B', 12)).toEqual(['[B, 784] 뷰,', '모든 B']);
});
