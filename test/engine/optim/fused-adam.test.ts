import { describe, expect, it } from 'vitest';
import * as torch from '#engine';

/**
 * The CPU backend updates contiguous parameters with one fused pass; any other layout takes the
 * composed in-place ops. Both must follow the same trajectory (exactly, in float64).
 */
describe('fused Adam step', () => {
  const settings = [
    { lr: 1e-2 },
    { lr: 1e-2, weightDecay: 0.1 },
    { lr: 1e-2, weightDecay: 0.1, decoupledWeightDecay: true },
    { lr: 1e-2, amsgrad: true, maximize: true },
  ];
  for (const options of settings) {
    it(`matches the composed update: ${JSON.stringify(options)}`, async () => {
      torch.manualSeed(3);
      const init = torch.randn(4, 3, { dtype: 'float64' });
      const fusedParam = init.clone().requiresGrad_();
      // A transposed copy is not contiguous, so the optimizer composes the update from in-place ops.
      const composedParam = init.t().contiguous().t().detach().requiresGrad_();
      expect(composedParam.isContiguous()).toBe(false);
      const a = new torch.optim.Adam([fusedParam], options);
      const b = new torch.optim.Adam([composedParam], options);
      for (let step = 0; step < 5; step++) {
        const target = torch.randn(4, 3, { dtype: 'float64' });
        for (const [p, opt] of [
          [fusedParam, a],
          [composedParam, b],
        ] as const) {
          opt.zeroGrad();
          p.sub(target).pow(2).sum().backward();
          opt.step();
        }
      }
      const got = Array.from(await fusedParam.data());
      const want = Array.from(await composedParam.data());
      got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThan(1e-12));
      expect(got).not.toEqual(Array.from(await init.data()));
    });
  }
});
