import { randomBytes } from 'node:crypto';
import { stripVTControlCharacters } from 'node:util';
import { expect, test } from 'vitest';
import type { GradeEvent } from '../../graders/lib/events.ts';
import { text } from '../../graders/lib/text.ts';
import type { Exercise } from '../../graders/cli/manifest.ts';
import { progressBar } from '../../graders/cli/render/progress.ts';
import { signer, verifier, verify } from '../../graders/cli/sandbox/signing.ts';

const spec = (id: string, title: string): GradeEvent => ({
  type: 'check',
  id,
  points: 1,
  title: text(title, title),
  hint: text('', ''),
  guide: '§1',
});
const events: GradeEvent[] = [
  spec('quick', 'crossEntropyLoss matches crossEntropy'),
  spec('long', 'ReLU + Adam learns MNIST'),
  { type: 'start', id: 'quick', taskId: 'quick' },
  { type: 'result', id: 'quick', durationMs: 3, status: 'failed', message: [text('not finite: 한국어 ✗', '')] },
  { type: 'start', id: 'long', taskId: 'long' },
];

test('the results pipe read a chunk at a time gives each event as soon as its line is complete', () => {
  const key = randomBytes(32).toString('hex');
  const sign = signer(key);
  const wire = `learner noise\n${events.map((e, i) => sign(i, e)).join('')}`;
  const whole = verify(key, wire);
  expect(whole).toEqual({ events, foreign: 1 });
  // Cut everywhere, even inside a line and inside a multi-byte character's neighbours.
  for (const size of [1, 7, 100]) {
    const reader = verifier(key);
    const seen: GradeEvent[] = [];
    for (let i = 0; i < wire.length; i += size) seen.push(...reader.push(wire.slice(i, i + size)));
    expect(seen).toEqual(events);
    expect(reader.end()).toEqual(whole);
  }
});

test('the progress line names the running check and shows a failure at once, above it', () => {
  let out = '';
  const stream = { isTTY: true, columns: 100, write: (s: string) => (out += s) } as unknown as NodeJS.WriteStream;
  const progress = progressBar('en', stream)!;
  const exercise = { id: '04', slug: 'mnist-mlp' } as Exercise;
  progress.onProgress(0, 1);
  for (const e of events.slice(0, 4)) progress.onEvent(exercise, e);
  const lines = stripVTControlCharacters(out).split(/[\r\n]/);
  expect(lines).toContain('  ✗ 04-mnist-mlp · crossEntropyLoss matches crossEntropy: not finite: 한국어 ✗');
  progress.onEvent(exercise, events[4]!);
  expect(stripVTControlCharacters(out).split('\r').at(-1)).toBe(
    '  grading ░░░░░░░░░░░░░░░░░░░░ 0/1 · 04-mnist-mlp 1/2: ReLU + Adam learns MNIST',
  );
  expect(progressBar('en', { isTTY: false } as NodeJS.WriteStream), 'no bar in a log file').toBeUndefined();
});
