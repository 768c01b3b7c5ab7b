import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../../helpers/devices.ts';
import { expectExact, expectTensor, values } from '../../helpers/assert.ts';

describe.each(devices)('backward (%s)', (device) => {
  const leaf = (v: unknown) => torch.tensor(v, { dtype: 'float32', device, requiresGrad: true });

  it("relu's backward passes g where y > 0 and 0 elsewhere (an inf or NaN g below too), recorded or not", async () => {
    const x = torch.tensor([-2, 0, 3, Number.NaN, -1, 4], { device, requiresGrad: true });
    const g = torch.tensor([5, 6, 7, 8, Number.NaN, Number.POSITIVE_INFINITY], { device });
    x.relu().backward(g);
    const plain = await x.grad!.toArray();
    expect(plain).toEqual([0, 0, 7, 0, 0, Number.POSITIVE_INFINITY]);
    const [recorded] = torch.autograd.grad(x.relu(), x, { gradOutputs: [g], createGraph: true });
    expect(await recorded!.toArray()).toEqual(plain);
    const rows = torch.randn(3, 5, { device }).t().requiresGrad_();
    const strided = torch.randn(3, 5, { device }).t();
    rows.relu().backward(strided);
    expect(await rows.grad!.toArray()).toEqual(await torch.where(rows.gt(0), strided, 0).toArray());
  });

  it('computes hand-derived gradients of a small expression', async () => {
    const x = leaf([1, 2, 3]);
    const w = leaf([0.5, -1, 2]);
    // y = Σ (x·w + x²) → dy/dx = w + 2x, dy/dw = x.
    x.mul(w).add(x.mul(x)).sum().backward();
    await expectExact(x.grad!, [2.5, 3, 8]);
    await expectExact(w.grad!, [1, 2, 3]);
    expect(x.grad!.requiresGrad).toBe(false);
  });

  it('runs each node of a diamond once, after all its gradients are summed', async () => {
    const x = leaf([2]);
    let calls = 0;
    class Count extends torch.autograd.Function {
      static override forward(_ctx: torch.autograd.FunctionCtx, t: torch.Tensor) {
        return t.mul(3);
      }
      static override backward(_ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
        calls++;
        return [g.mul(3)];
      }
    }
    const shared = Count.apply(x); // 3x
    const a = shared.mul(2); // 6x
    const b = shared.mul(shared); // 9x²
    a.add(b).sum().backward(); // d/dx = 6 + 18x = 42
    expect(calls).toBe(1);
    await expectExact(x.grad!, [42]);
  });

  it('walks a chain of 10,000 ops without recursion', async () => {
    const x = leaf([1]);
    let y = x;
    for (let i = 0; i < 10_000; i++) y = y.add(1e-4);
    y.backward();
    await expectExact(x.grad!, [1]);
    let z = x;
    for (let i = 0; i < 10_000; i++) z = z.mul(1);
    z.sum().backward();
    await expectExact(x.grad!, [2]);
    // 40,000 kernels on WebGPU: about 3 s on lavapipe (a CPU Vulkan driver), 26–40 s at a load of 15.
  }, 120_000);

  it('accumulates into leaf .grad across two backward calls; p.grad = null resets', async () => {
    const p = leaf([1, 2]);
    p.mul(3).sum().backward();
    p.mul(p).sum().backward();
    await expectExact(p.grad!, [5, 7]);
    p.grad = null;
    p.mul(2).sum().backward();
    await expectExact(p.grad!, [2, 2]);
    const assigned = torch.tensor([10, 10], { device });
    p.grad = assigned;
    p.sum().backward();
    await expectExact(p.grad!, [11, 11]);
    await expectExact(assigned, [10, 10]); // a gradient the program assigned is not added into
  });

  it('gives every leaf its own .grad, never an alias of another', async () => {
    const a = leaf([1]);
    const b = leaf([2]);
    a.add(b).sum().backward();
    expect(a.grad!.storage).not.toBe(b.grad!.storage);
    torch.noGrad(() => a.grad!.mul_(5));
    await expectExact(b.grad!, [1]);
    const g = torch.tensor([1, 1], { device });
    const c = leaf([1, 2]);
    c.backward(g);
    torch.noGrad(() => c.grad!.zero_());
    await expectExact(g, [1, 1]);
  });

  it('a first gradient made for one leaf becomes its .grad without a copy; one sent to two leaves is copied', async () => {
    const made: torch.Tensor[] = [];
    class Twice extends torch.autograd.Function {
      static override forward(_ctx: torch.autograd.FunctionCtx, a: torch.Tensor, b: torch.Tensor) {
        return a.add(b);
      }
      static override backward(_ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
        const twice = g.mul(2);
        made.push(twice);
        return [twice, twice];
      }
    }
    class Own extends torch.autograd.Function {
      static override forward(_ctx: torch.autograd.FunctionCtx, a: torch.Tensor) {
        return a.mul(1);
      }
      static override backward(_ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
        const thrice = g.mul(3);
        made.push(thrice);
        return thrice;
      }
    }
    const a = leaf([1, 2]);
    const b = leaf([3, 4]);
    Twice.apply(a, b).sum().backward();
    expect(a.grad!.storage).not.toBe(b.grad!.storage);
    expect(a.grad!.storage).not.toBe(made[0]!.storage);
    torch.noGrad(() => a.grad!.mul_(5));
    await expectExact(b.grad!, [2, 2]);
    const c = leaf([1, 2]);
    Own.apply(c).sum().backward();
    expect(c.grad!.storage).toBe(made[1]!.storage);
    await expectExact(c.grad!, [3, 3]);
    // A second backward adds into a new tensor; the first stays as it was.
    Own.apply(c).sum().backward();
    await expectExact(c.grad!, [6, 6]);
    await expectExact(made[1]!, [3, 3]);
  });

  it('sums broadcast gradients back to each input shape', async () => {
    const a = leaf([[1], [2]]); // [2, 1]
    const b = leaf([10, 20, 30]); // [3]
    const s = leaf(2); // 0-d
    a.mul(b).mul(s).sum().backward();
    await expectExact(a.grad!, [[120], [120]]);
    await expectExact(b.grad!, [6, 6, 6]);
    await expectExact(s.grad!, 180);
    expect(a.grad!.shape).toEqual([2, 1]);
  });

  it('a gradient for a non-scalar output is required, and must match its shape', async () => {
    const x = leaf([1, 2]);
    const y = x.mul(2);
    expect(() => y.backward()).toThrow(
      /grad can be implicitly created only for scalar outputs \(this output has shape \[2\]\)/,
    );
    expect(() => y.backward(torch.ones(3, { device }))).toThrow(
      'Mismatch in shape: grad_output has a shape of [3] and output has a shape of [2].',
    );
    y.backward(torch.tensor([1, 0.5], { device }));
    await expectExact(x.grad!, [2, 1]);
  });

  it('a loss of inf still seeds its backward with 1', async () => {
    const x = leaf([1000]);
    const z = leaf([2]);
    const loss = x.exp().add(z).sum();
    expect(await loss.item()).toBe(Infinity);
    loss.backward();
    await expectExact(z.grad!, [1]);
  });

  it('retainGraph allows a second backward; without it the second fails clearly', async () => {
    const x = leaf([3]);
    const y = x.mul(x).sum();
    y.backward({ retainGraph: true });
    y.backward(null, { retainGraph: true });
    y.backward();
    await expectExact(x.grad!, [18]);
    expect(() => y.backward()).toThrow(
      /Trying to backward through the graph a second time.*Specify \{ retainGraph: true \}/s,
    );
  });

  it('rejects backward from a tensor that does not require grad', () => {
    expect(() => torch.tensor([1.5], { device }).sum().backward()).toThrow(
      /element 0 of tensors does not require grad and does not have a grad_fn/,
    );
  });

  it('noGrad records nothing, including across an async function body', async () => {
    const x = leaf([1]);
    const y = torch.noGrad(() => x.mul(2));
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    const z = await torch.noGrad(async () => {
      await new Promise((r) => setTimeout(r, 1));
      expect(torch.isGradEnabled()).toBe(false);
      return x.mul(3);
    });
    expect(z.requiresGrad).toBe(false);
    expect(torch.isGradEnabled()).toBe(true);
    expect(x.mul(2).requiresGrad).toBe(true);
    expect(torch.enableGrad(() => torch.noGrad(() => torch.isGradEnabled()))).toBe(false);
  });

  it('detach shares storage and cuts history; requiresGrad_ makes a leaf', async () => {
    const x = leaf([1, 2]);
    const y = x.mul(2);
    const d = y.detach();
    expect(d.requiresGrad).toBe(false);
    expect(d.gradFn).toBeNull();
    expect(d.storage).toBe(y.storage);
    const w = torch.tensor([1.5], { device });
    expect(w.requiresGrad_()).toBe(w);
    expect(w.requiresGrad).toBe(true);
    w.mul(4).sum().backward();
    await expectExact(w.grad!, [4]);
    expect(() => y.requiresGrad_(false)).toThrow(/you can only change requires_grad flags of leaf variables/);
    w.requiresGrad = false;
    expect(w.requiresGrad).toBe(false);
  });

  it('retainGrad keeps the gradient of a non-leaf', async () => {
    const x = leaf([1, 2]);
    const h = x.mul(3);
    h.retainGrad();
    const u = x.mul(5); // not retained
    h.mul(h).add(u).sum().backward();
    await expectExact(h.grad!, [6, 12]);
    expect(u.grad).toBeNull();
    expect(h.retainsGrad).toBe(true);
    expect(() => torch.tensor([1.5], { device }).retainGrad()).toThrow(
      "can't retain_grad on Tensor that has requires_grad=False",
    );
  });

  it('autograd.grad returns gradients without touching .grad', async () => {
    const x = leaf([1, 2]);
    const y = leaf([3]);
    const out = x.mul(x).sum().mul(y);
    const [gx, gy] = torch.autograd.grad(out, [x, y]);
    await expectExact(gx!, [6, 12]);
    await expectExact(gy!, [5]);
    expect(x.grad).toBeNull();
    const z = leaf([1]);
    expect(() => torch.autograd.grad(x.sum(), [z])).toThrow(/appears to not have been used in the graph/);
    expect(torch.autograd.grad(x.sum(), [z], { allowUnused: true })[0]).toBeNull();
  });

  it('autograd.grad with createGraph gives a second derivative', async () => {
    const x = leaf([2, -1]);
    const y = x.pow(3).sum();
    const [g] = torch.autograd.grad(y, x, { createGraph: true });
    await expectExact(g!, [12, 3]); // 3x²
    expect(g!.requiresGrad).toBe(true);
    const [h] = torch.autograd.grad(g!.sum(), x);
    await expectExact(h!, [12, -6]); // 6x
    const s = leaf([0.5]);
    const [ds] = torch.autograd.grad(s.sin().sum(), s, { createGraph: true });
    const [dds] = torch.autograd.grad(ds!.sum(), s);
    await expectTensor(dds!, [-Math.sin(Math.fround(0.5))]);
  });

  it('second derivatives flow through slice, select, cat and gather backwards', async () => {
    const x = leaf([1, 2, 3, 4]);
    const y = x.slice(0, 1, null, 2).pow(3).sum().add(x.index(0).pow(3)); // x1³ + x3³ + x0³
    const [g] = torch.autograd.grad(y, x, { createGraph: true });
    await expectExact(g!, [3, 12, 0, 48]);
    const [h] = torch.autograd.grad(g!.sum(), x);
    await expectExact(h!, [6, 12, 0, 24]);
  });

  it('a custom Function returning a gradient of the wrong shape is an error, not a silent reshape', () => {
    class Transposed extends torch.autograd.Function {
      static override forward(_ctx: torch.autograd.FunctionCtx, t: torch.Tensor) {
        return t.mul(1);
      }
      static override backward(_ctx: torch.autograd.FunctionCtx, g: torch.Tensor) {
        return [g.t()];
      }
    }
    const x = leaf([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(() => Transposed.apply(x).sum().backward()).toThrow(/size \{2, 3\} is not expandable to size \{3, 2\}/);
  });

  it('backward({ createGraph }) leaves a differentiable .grad', async () => {
    const x = leaf([3]);
    x.pow(2).sum().backward(null, { createGraph: true });
    await expectExact(x.grad!, [6]);
    const g = x.grad!;
    x.grad = null;
    g.sum().backward();
    await expectExact(x.grad!, [2]);
  });

  it('a Function returning null for one path still lets shared nodes run', async () => {
    class Blocked extends torch.autograd.Function {
      static override forward(_ctx: torch.autograd.FunctionCtx, t: torch.Tensor) {
        return t.mul(2);
      }
      static override backward() {
        return [null];
      }
    }
    const x = leaf([1, 2]);
    const y = x.mul(3);
    Blocked.apply(y).sum().add(y.sum()).backward();
    await expectExact(x.grad!, [3, 3]);
  });
});

describe.each(devices)('in-place ops and autograd (%s)', (device) => {
  const leaf = (v: unknown) => torch.tensor(v, { dtype: 'float32', device, requiresGrad: true });

  it('modifying a tensor saved for backward fails with PyTorch’s message', () => {
    const x = leaf([1, 2]);
    const y = x.mul(2);
    const z = y.mul(y); // saves y
    y.add_(1);
    expect(() => z.sum().backward()).toThrow(
      /one of the variables needed for gradient computation has been modified by an inplace operation: \[float32 tensor of shape \[2\]\].*is at version 1; expected version 0 instead/,
    );
  });

  it('an in-place op on a leaf that requires grad fails; under noGrad it is allowed', async () => {
    const p = leaf([1, 2]);
    expect(() => p.add_(1)).toThrow(/a leaf Variable that requires grad is being used in an in-place operation/);
    expect(() => p.zero_()).toThrow(/leaf Variable/);
    torch.noGrad(() => p.sub_(1));
    await expectExact(p, [0, 1]);
    expect(p.isLeaf).toBe(true);
  });

  it('in-place ops on non-leaves are recorded: mul_, relu_, sqrt_, clamp_, copy_', async () => {
    const x = leaf([1, 4]);
    const y = x.mul(2);
    y.mul_(3);
    y.sum().backward();
    await expectExact(x.grad!, [6, 6]);

    const a = leaf([-1, 4]);
    const b = a.mul(2);
    b.relu_();
    b.sum().backward();
    await expectExact(a.grad!, [0, 2]);

    const c = leaf([1, 4]);
    const d = c.mul(1);
    d.sqrt_();
    d.sum().backward();
    await expectExact(c.grad!, [0.5, 0.25]);

    const e = leaf([-2, 0.5, 3]);
    const f = e.mul(1);
    f.clamp_(-1, 1);
    f.sum().backward();
    await expectExact(e.grad!, [0, 1, 0]);

    const w = leaf([1.5, -2]);
    const buf = torch.zeros(2, { device });
    buf.copy_(w);
    buf.mul(3).sum().backward();
    await expectExact(w.grad!, [3, 3]);
    expect(await values(buf)).toEqual([1.5, -2]);
  });
});
