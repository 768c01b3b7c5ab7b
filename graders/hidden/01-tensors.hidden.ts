// Hidden checks of 01 (instructor grading only, `npm run grade -- --hidden`): the same skills on inputs
// the visible checks do not show, so that code shaped to the visible cases loses these points.
import * as torch from '#engine';
import { check, expectClose, expectEqual, loadTarget, text } from '#kit/grader';

type Tensors = typeof import('../../exercises/01-tensors/tensors.ts');
const target = () => loadTarget<Tensors>('01-tensors', 'tensors.ts');

check(
  {
    id: 'creations-n2',
    points: 1,
    title: text('creations(2): the smallest size', 'creations(2): 가장 작은 크기'),
    hint: text('linspace(0, 1, 2) is [0, 1]; arange(0, 4, 2) is [0, 2].', 'linspace(0, 1, 2) 는 [0, 1] 입니다.'),
    guide: '§2.1',
  },
  async () => {
    const { creations } = await target();
    const c = creations(2);
    await expectEqual(c.evens, [0, 2], 'evens');
    await expectEqual(c.grid, [0, 1], 'grid');
    await expectEqual(c.identity, [
      [1, 0],
      [0, 1],
    ]);
    await expectEqual(c.halves, [
      [0.5, 0.5],
      [0.5, 0.5],
    ]);
  },
);

check(
  {
    id: 'broadcast-padding',
    points: 1,
    title: text('broadcastShape pads the shorter shape on the left', 'broadcastShape 는 짧은 모양의 왼쪽을 채운다'),
    hint: text('A missing dimension counts as size 1.', '없는 차원은 크기 1 로 셉니다.'),
    guide: '§2.3',
  },
  async () => {
    const { broadcastShape } = await target();
    await expectEqual(broadcastShape([], [2, 3]), [2, 3], 'broadcastShape([], [2, 3])');
    await expectEqual(broadcastShape([5, 1, 4], [3, 1]), [5, 3, 4], 'broadcastShape([5, 1, 4], [3, 1])');
  },
);

check(
  {
    id: 'standardize-tall',
    points: 1,
    title: text('standardizeColumns on a tall [7, 2] matrix', 'standardizeColumns: 세로로 긴 [7, 2] 행렬'),
    hint: text('Reduce over dim 0, and use the unbiased std.', '0번 차원으로 줄이고, 불편 표준편차를 쓰세요.'),
    guide: '§2.4',
  },
  async ({ rng }) => {
    const { standardizeColumns } = await target();
    const rows = Array.from({ length: 7 }, () => rng.array(2, -3, 3));
    const expected = rows.map((r) => [...r]);
    for (const j of [0, 1]) {
      const col = rows.map((r) => r[j]!);
      const m = col.reduce((a, b) => a + b, 0) / col.length;
      const s = Math.sqrt(col.reduce((a, b) => a + (b - m) ** 2, 0) / (col.length - 1));
      expected.forEach((r, i) => (r[j] = (col[i]! - m) / s));
    }
    await expectClose(standardizeColumns(torch.tensor(rows)), expected, { what: 'standardizeColumns(x)', atol: 1e-4 });
  },
);
