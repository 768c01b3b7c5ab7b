import { expect, it } from 'vitest';
import { cpuMs, prepare } from '../../bench/sandbox-cost.ts';

// The grading child's lockdown once made training 6× slower (Object.freeze on Object.prototype and
// %TypedArray%.prototype turned off V8's fast element access; see lockdown.ts' freeze()). The same
// bundle, with and without lockdown, in CPU time: a regression shows as a ratio near 5.
it('lockdown() leaves a training loop within 3× of plain node', { timeout: 120_000 }, async () => {
  const { bundle, variants } = await prepare();
  const [plain, locked] = ['plain node', 'lockdown()'].map((name) => variants.find((v) => v.name === name)!);
  const ratio = cpuMs(bundle, locked!, 1920) / cpuMs(bundle, plain!, 1920);
  // Measured ×1.2–1.3 now, ×4.9–6.9 with the regression: 3 tells them apart on a loaded machine too.
  expect(ratio).toBeLessThan(3);
});
