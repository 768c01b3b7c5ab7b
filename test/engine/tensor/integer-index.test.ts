/** x[i] and the (values, indices) tuples, as in PyTorch. */
import { describe, expect, it } from 'vitest';
import { execa } from 'execa';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';

describe.each(devices)('integer indexing (%s)', (device) => {
  const x = () =>
    torch.tensor(
      [
        [3, 1, 2],
        [0, 5, 4],
      ],
      { device, dtype: 'float32' },
    );

  it('x[i] selects along dim 0, negative from the end', async () => {
    expect(await x()[0].toArray()).toEqual([3, 1, 2]);
    expect(await x()[-1][1].item()).toBe(5);
    expect(() => torch.tensor(1, { device })[0]).toThrow();
  });

  it('x[i] = value writes in place', async () => {
    const t = x();
    t[0] = 7 as never; // plain JavaScript may assign a number; TypeScript types x[i] as a Tensor
    t[1] = torch.tensor([1, 2, 3], { device, dtype: 'float32' });
    expect(await t.toArray()).toEqual([
      [7, 7, 7],
      [1, 2, 3],
    ]);
  });

  it('max(dim) / min(dim) read as .values/.indices, [0]/[1] and [values, indices]', async () => {
    const r = x().max(1);
    expect(r[0]).toBe(r.values);
    expect(r[1]).toBe(r.indices);
    const [values, indices] = x().min(1);
    expect(await values.toArray()).toEqual([1, 0]);
    expect(await indices.toArray()).toEqual([1, 0]);
    expect(await x().max(1)[0].toArray()).toEqual([3, 5]);
  });
});

// Graders run learners' code with the intrinsics frozen; the tuple must not assign over
// Array.prototype.values there.
it('(values, indices) builds where Array.prototype is frozen', async () => {
  const script = `import * as torch from '#engine'; Object.freeze(Array.prototype);
    const r = torch.tensor([[1, 3], [4, 2]]).max(1); console.log(r.values === r[0] && r.indices === r[1]);`;
  const { stdout } = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  expect(stdout.trim()).toBe('true');
});
