/** tensor.backward() and torch.autograd.grad(), on top of the backward walk. */
import { checkKeys, keys } from '../args.ts';
import { full } from '../tensor/create.ts';
import { capture } from '../tensor/ledger.ts';
import { storagesCreated } from '../tensor/storage.ts';
import { formatShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { runBackward, type BackwardOptions } from './engine.ts';
import type { Node } from './node.ts';

function defaultGrad(root: Tensor): Tensor {
  if (root.numel() !== 1) {
    throw new Error(
      `grad can be implicitly created only for scalar outputs (this output has shape ${formatShape(root.shape)}): ` +
        'pass a gradient of the same shape, e.g. y.backward(torch.onesLike(y)), or reduce it first with .sum() or .mean()',
    );
  }
  // Ones, not root·0 + 1: a loss that is inf or NaN must still seed its backward with 1.
  return full(root.shape, 1, { dtype: root.dtype, device: root.device });
}

function checkGrad(root: Tensor, grad: Tensor): void {
  if (grad.shape.length !== root.shape.length || grad.shape.some((d, i) => d !== root.shape[i])) {
    throw new RangeError(
      `Mismatch in shape: grad_output has a shape of ${formatShape(grad.shape)} and output has a shape of ${formatShape(root.shape)}.`,
    );
  }
}

function checkRequiresGrad(t: Tensor): void {
  if (!t.requiresGrad) {
    throw new Error(
      'element 0 of tensors does not require grad and does not have a grad_fn: did you forget requiresGrad: true on an input, or run the forward pass inside torch.noGrad()?',
    );
  }
}

/**
 * Runs a backward pass; unless it records a graph of its own (createGraph), everything it allocated
 * besides the gradients `kept` names afterwards is dead by its end and stops counting in torch.memory.
 */
function freeingTemporaries(options: BackwardOptions, pass: () => void, kept: () => Iterable<Tensor>): void {
  if (options.createGraph) return pass();
  capture(pass, () => [...kept()].map((g) => g.storage.entry));
}

export function backward(root: Tensor, gradient: Tensor | undefined, options: BackwardOptions): void {
  checkRequiresGrad(root);
  const leaves = new Set<Tensor>();
  let retained: Tensor[] = [];
  freeingTemporaries(
    options,
    () => {
      const passStart = storagesCreated();
      const g = gradient ?? defaultGrad(root);
      checkGrad(root, g);
      const sink = {
        leaf: (t: Tensor, grad: Tensor, owned: boolean) => {
          t._accumulateGrad(grad, owned);
          leaves.add(t);
        },
      };
      retained = runBackward([root], [g], sink, options, passStart);
    },
    () => [...leaves, ...retained].map((t) => t._grad()!),
  );
}

export interface GradOptions extends BackwardOptions {
  gradOutputs?: readonly (Tensor | null)[];
  /** Return null for inputs the outputs do not depend on, instead of failing. */
  allowUnused?: boolean;
}

/** torch.autograd.grad: gradients of outputs with respect to inputs, leaving `.grad` untouched. */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  options: GradOptions = {},
): (Tensor | null)[] {
  checkKeys(
    'torch.autograd.grad',
    options,
    keys<GradOptions>({ gradOutputs: 1, allowUnused: 1, retainGraph: 1, createGraph: 1 }),
  );
  const outs = Array.isArray(outputs) ? outputs : [outputs as Tensor];
  const ins = Array.isArray(inputs) ? inputs : [inputs as Tensor];
  outs.forEach(checkRequiresGrad);
  const found = new Map<Tensor, Tensor>();
  const byNode = new Map<Node, Tensor>();
  for (const t of ins) {
    if (!t.requiresGrad) throw new Error('One of the differentiated Tensors does not require grad');
    if (t.gradFn) byNode.set(t.gradFn, t);
  }
  const add = (t: Tensor, g: Tensor) => found.set(t, found.has(t) ? found.get(t)!.add(g) : g);
  let retained: Tensor[] = [];
  freeingTemporaries(
    options,
    () => {
      const grads = outs.map((o, i) => {
        const g = options.gradOutputs?.[i] ?? defaultGrad(o);
        checkGrad(o, g);
        return g;
      });
      const sink = {
        leaf: (t: Tensor, g: Tensor) => {
          if (ins.includes(t)) add(t, g);
        },
        node: (node: Node, g: Tensor) => {
          const t = byNode.get(node);
          if (t) add(t, g);
        },
      };
      retained = runBackward(outs, grads, sink, options);
    },
    () => [...found.values(), ...retained.map((t) => t._grad()!)],
  );
  return ins.map((t) => {
    const g = found.get(t) ?? null;
    if (g === null && !options.allowUnused) {
      throw new Error(
        'One of the differentiated Tensors appears to not have been used in the graph. Set allowUnused: true if this is the desired behavior.',
      );
    }
    return g;
  });
}
