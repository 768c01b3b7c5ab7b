import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import * as torch from '#engine';
import { awaitSlip, nameSlip, newSlip, suggestName, unawaitedReads } from '../../../graders/lib/slips.ts';
import { repo } from '../../cli/helpers.ts';

test('a read-back with no await in its statement is a suspect; awaited, returned or Promise.all are not', () => {
  const source = [
    'const a = await x.item();',
    'const b = await x', // an await on the line before still covers the chain
    '  .sum()',
    '  .item();',
    'losses.push(loss.item());',
    'return y.toArray();',
    'const all = await Promise.all(ts.map((t) => t.item()));',
    '// acc = correct.item() in a comment',
    'let acc = correct.item() / n;',
  ].join('\n');
  expect(unawaitedReads(source)).toEqual([
    { line: 5, call: '.item()' },
    { line: 9, call: '.item()' },
  ]);
});

test('the worked solutions await every read-back', () => {
  const root = join(repo, 'solutions');
  for (const dir of readdirSync(root))
    for (const f of readdirSync(join(root, dir)).filter((f) => f.endsWith('.ts')))
      expect(unawaitedReads(readFileSync(join(root, dir, f), 'utf8')), `${dir}/${f}`).toEqual([]);
});

test("a name the engine lacks gets the engine's own: camelCase first, then the nearest", () => {
  expect(suggestName('zero_grad')).toBe('zeroGrad');
  expect(suggestName('requires_grad')).toBe('requiresGrad');
  expect(suggestName('stdev')).toBe('std');
  expect(suggestName('zeroGrad')).toBeUndefined(); // a real name
  expect(suggestName('map')).toBeUndefined(); // JavaScript's, not a slip for `max`
  expect(suggestName('completelyUnrelated')).toBeUndefined();
});

test('"x.zero_grad is not a function" is explained once per process, from the message or the line', () => {
  const first = nameSlip('optimizer.zero_grad is not a function');
  expect(first?.en).toContain('did you mean `zeroGrad`?');
  expect(first?.ko).toContain('`zeroGrad`');
  expect(nameSlip('optimizer.zero_grad is not a function')).toBeUndefined();
  const read = nameSlip(
    "Cannot read properties of undefined (reading 'mseLoss')",
    '  torch.nn.functionl.mseLoss(a, b)',
  );
  expect(read?.en).toContain('`functional`');
});

test("the engine's message for a Promise where a tensor belongs gets the forgotten-await hint", () => {
  const t = torch.ones(2);
  const message = (() => {
    try {
      torch.matmul(t, Promise.resolve(t) as never);
    } catch (e) {
      return (e as Error).message;
    }
  })();
  expect(message).toContain('not Promise (did you forget await?)');
  expect(awaitSlip([message!])?.en).toContain('did you forget `await`');
});

test('a layer called as PyTorch does, without `new`, or `new` before a function, is explained', () => {
  const message = (thunk: () => unknown): string => {
    try {
      thunk();
    } catch (e) {
      return (e as Error).message;
    }
    throw new Error('no error');
  };
  const bare = newSlip(message(() => (torch.nn.Linear as unknown as (i: number, o: number) => unknown)(784, 128)));
  expect(bare?.en).toContain('write `new Linear(…)`');
  expect(bare?.ko).toContain('`new Linear(…)`');
  const spelt = newSlip("Class constructor Conv2d cannot be invoked without 'new'", '  const c = nn.Conv2d(1, 8, 3);');
  expect(spelt?.en).toContain('write `new nn.Conv2d(…)` where PyTorch writes `nn.Conv2d(…)`');
  const sum = torch.ones(2).sum as unknown as new () => unknown; // a method: never a constructor
  const misplaced = newSlip(message(() => new sum()));
  expect(misplaced?.en).toContain('`sum` is a function, not a class');
  expect(newSlip('Foo is not a constructor')).toBeUndefined(); // not the engine's name: nothing to say
});
