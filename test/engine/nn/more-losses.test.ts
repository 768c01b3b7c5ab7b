/**
 * The ranking, embedding and count losses and the distance layers as modules: each runs its
 * torch.nn.functional twin (whose values and gradients ops.py pins against PyTorch 1.13) with the
 * settings it was built with, given positionally or by name as PyTorch allows.
 */
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';
import { values } from '../../helpers/assert.ts';

const nn = torch.nn;
const F = nn.functional;

describe.each(devices)('more losses and distances as modules (%s)', (device) => {
  const t = (v: number[][] | number[]) => torch.tensor(v, { dtype: 'float32', device });
  const a = () =>
    t([
      [0.5, -1, 2],
      [1.5, 0.25, -0.5],
    ]);
  const b = () =>
    t([
      [1, 0.5, -2],
      [0.5, 0.5, 0.5],
    ]);
  const c = () =>
    t([
      [-1, 1, 0],
      [2, -0.5, 1],
    ]);
  const y = () => t([1, -1]);

  it('each module is its functional twin with its settings', async () => {
    const pairs: [torch.Tensor, torch.Tensor][] = [
      [
        new nn.MarginRankingLoss(0.5).call(a().sum(1), b().sum(1), y()) as torch.Tensor,
        F.marginRankingLoss(a().sum(1), b().sum(1), y(), 0.5),
      ],
      [
        new nn.HingeEmbeddingLoss({ margin: 2, reduction: 'sum' }).call(a().sum(1), y()) as torch.Tensor,
        F.hingeEmbeddingLoss(a().sum(1), y(), 2, { reduction: 'sum' }),
      ],
      [
        new nn.SoftMarginLoss({ reduction: 'none' }).call(a(), b().sign()) as torch.Tensor,
        F.softMarginLoss(a(), b().sign(), { reduction: 'none' }),
      ],
      [
        new nn.MultiLabelSoftMarginLoss(t([1, 2, 3])).call(a(), b().gt(0).float()) as torch.Tensor,
        F.multilabelSoftMarginLoss(a(), b().gt(0).float(), { weight: t([1, 2, 3]) }),
      ],
      [new nn.CosineEmbeddingLoss(0.1).call(a(), b(), y()) as torch.Tensor, F.cosineEmbeddingLoss(a(), b(), y(), 0.1)],
      [
        new nn.TripletMarginLoss(0.5, 1, 1e-6, true).call(a(), b(), c()) as torch.Tensor,
        F.tripletMarginLoss(a(), b(), c(), { margin: 0.5, p: 1, swap: true }),
      ],
      [
        new nn.PoissonNLLLoss(false, true).call(a().abs(), b().abs()) as torch.Tensor,
        F.poissonNllLoss(a().abs(), b().abs(), { logInput: false, full: true }),
      ],
      [
        new nn.PairwiseDistance(1, { keepdim: true }).call(a(), b()) as torch.Tensor,
        F.pairwiseDistance(a(), b(), { p: 1, keepdim: true }),
      ],
      [new nn.CosineSimilarity(0).call(a(), b()) as torch.Tensor, F.cosineSimilarity(a(), b(), { dim: 0 })],
    ];
    for (const [i, [module, fn]] of pairs.entries()) {
      expect(module.shape, `pair ${i}`).toEqual(fn.shape);
      expect(await values(module), `pair ${i}`).toEqual(await values(fn));
    }
  });

  it('checks settings as PyTorch does', () => {
    expect(() => new nn.MarginRankingLoss({ reduction: 'avg' as never })).toThrow(
      'avg is not a valid value for reduction',
    );
    expect(() => new nn.TripletMarginLoss({ margins: 1 } as never)).toThrow("unknown option 'margins'");
    expect(() => F.tripletMarginLoss(a(), b(), c().sum(1))).toThrow(
      'The anchor, positive, and negative tensors are expected to have the same number of dimensions, but got: anchor 2D, positive 2D, and negative 1D inputs',
    );
    expect(String(new nn.PairwiseDistance())).toBe('PairwiseDistance()');
  });
});
