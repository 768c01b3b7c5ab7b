/**
 * The backward walk. Dependencies are counted first, so each node runs exactly once, after every
 * gradient flowing into it has been summed (a shared subgraph is never walked twice); then nodes
 * run in that order, gradients are summed back to each input's shape (undoing broadcasting), and
 * leaves accumulate into `.grad`.
 */
import { capture } from '../tensor/ledger.ts';
import { storagesCreated, type Storage } from '../tensor/storage.ts';
import { Tensor } from '../tensor/tensor.ts';
import { withGradMode } from './grad-mode.ts';
import type { Node } from './node.ts';

export interface BackwardOptions {
  retainGraph?: boolean;
  /** Record the backward pass itself, for higher-order gradients. */
  createGraph?: boolean;
}

/** Where gradients end up: leaves' `.grad` (backward) or a capture map (autograd.grad). */
export interface GradSink {
  /** `owned`: grad's storage was made by the node that sent it and reaches no other input. */
  leaf(tensor: Tensor, grad: Tensor, owned: boolean): void;
  /** Called with the full gradient of a non-leaf output before its node runs. */
  node?(node: Node, grad: Tensor): void;
}

function dependencies(roots: readonly Node[]): Map<Node, number> {
  const deps = new Map<Node, number>();
  const stack = [...roots];
  const seen = new Set<Node>(roots);
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const edge of node.next) {
      if (!edge || !('node' in edge)) continue;
      deps.set(edge.node, (deps.get(edge.node) ?? 0) + 1);
      if (!seen.has(edge.node)) {
        seen.add(edge.node);
        stack.push(edge.node);
      }
    }
  }
  return deps;
}

/** Sums a gradient over broadcast dims and casts it back to the input's dtype. */
export function fitTo(grad: Tensor, shape: readonly number[], dtype: Tensor['dtype']): Tensor {
  let g = grad;
  if (g.shape.length !== shape.length || g.shape.some((d, i) => d !== shape[i])) g = g.sumToSize(shape);
  return g.dtype === dtype ? g : g.to(dtype);
}

/** The gradient of each input of `node` (null where none flows), fitted to the input's shape and dtype. */
function inputGradients(node: Node, grad: Tensor): (Tensor | null)[] {
  const inputGrads = node.apply(grad);
  return node.next.map((edge, i) => {
    const raw = inputGrads[i];
    if (!edge || raw === null || raw === undefined) return null;
    if (!(raw instanceof Tensor)) {
      throw new TypeError(`${node.name}.backward returned a non-tensor gradient for input ${i}`);
    }
    const meta = node.inputs[i]!;
    return fitTo(raw, meta.shape, meta.dtype);
  });
}

function runNode(
  node: Node,
  grad: Tensor,
  sink: GradSink,
  retain: boolean,
  retained: Tensor[],
  freeing: boolean,
): (Tensor | null)[] {
  sink.node?.(node, grad);
  const output = node.retained?.deref();
  if (output) {
    output._accumulateGrad(grad);
    retained.push(output);
  }
  // An engine node's backward keeps none of its temporaries: what it made besides the gradients it
  // returns goes back to the backend at once.
  const inputGrads = freeing
    ? capture(
        () => inputGradients(node, grad),
        (gs) => gs.flatMap((g) => (g ? [g.storage.entry] : [])),
        true,
      ).result
    : inputGradients(node, grad);
  if (!retain) node.release();
  return inputGrads;
}

/** Walks back from `roots` into `sink`; returns the non-leaves (retainGrad) whose `.grad` it added to. */
export function runBackward(
  roots: readonly Tensor[],
  grads: readonly Tensor[],
  sink: GradSink,
  options: BackwardOptions = {},
  /** storagesCreated() when the pass began: a root gradient backward() made counts as the pass's own. */
  passStart = storagesCreated(),
): Tensor[] {
  const retain = options.retainGraph ?? options.createGraph ?? false;
  const retained: Tensor[] = [];
  // Storages this pass made, and how many gradients in flight (waiting at a node, or sent to a
  // leaf) view each: a leaf whose gradient is the only one viewing a storage made here may keep
  // that tensor as its .grad instead of a copy, since nothing else can reach it.
  const live = new Map<Storage, number>();
  const hold = (t: Tensor, n: number) => live.set(t.storage, (live.get(t.storage) ?? 0) + n);
  // A gradient this pass made is freed once the last gradient in flight viewing its storage is
  // consumed, unless the program can reach it: none is freed when the graph stays (retainGraph,
  // createGraph) or gradients are handed to the caller (autograd.grad), and none that a leaf took
  // as its .grad or that a custom Function or hook received or returned.
  const freeing = !retain && !sink.node;
  const inFlight = new Map<Storage, number>();
  const kept = new Set<Storage>();
  const enter = (t: Tensor) => inFlight.set(t.storage, (inFlight.get(t.storage) ?? 0) + 1);
  const leave = (t: Tensor) => {
    const left = inFlight.get(t.storage)! - 1;
    inFlight.set(t.storage, left);
    if (left === 0 && freeing && !kept.has(t.storage) && t.storage.serial >= passStart) t.storage.release();
  };
  withGradMode(options.createGraph ?? false, () => {
    const pending = new Map<Node, Tensor>();
    const send = (node: Node, g: Tensor) => {
      const prev = pending.get(node);
      const sum = prev ? prev.add(g) : g;
      if (prev) {
        hold(prev, -1);
        hold(g, -1);
        hold(sum, 1);
        enter(sum);
        leave(prev);
        leave(g);
      }
      pending.set(node, sum);
    };
    const rootNodes: Node[] = [];
    roots.forEach((root, i) => {
      const g = grads[i]!;
      if (root.gradFn) {
        hold(g, 1);
        enter(g);
        send(root.gradFn, g);
        rootNodes.push(root.gradFn);
      } else if (root.requiresGrad) {
        sink.leaf(root, g, false);
      }
    });
    const deps = dependencies(rootNodes);
    const ready = [...new Set(rootNodes)].filter((n) => !deps.has(n));
    while (ready.length > 0) {
      const node = ready.pop()!;
      const grad = pending.get(node);
      pending.delete(node);
      if (grad && !node.engineOnly) kept.add(grad.storage);
      // A node whose every incoming gradient was null (a Function returned None for it) does not
      // run, but it still releases its inputs, so that nodes it shares with other paths run too.
      const fitted = grad ? runNode(node, grad, sink, retain, retained, freeing && node.engineOnly) : [];
      for (const g of fitted) {
        if (!g) continue;
        hold(g, 1);
        enter(g);
        if (!node.engineOnly) kept.add(g.storage);
      }
      if (grad) {
        hold(grad, -1);
        leave(grad);
      }
      node.next.forEach((edge, i) => {
        if (!edge) return;
        const g = fitted[i];
        if ('leaf' in edge) {
          if (!g) return;
          const owned = !retain && g.storage.serial >= passStart && live.get(g.storage) === 1;
          const reachable = kept.has(g.storage);
          if (owned) kept.add(g.storage);
          sink.leaf(edge.leaf, g, owned);
          if (owned && reachable) edge.leaf._gradReachable();
          leave(g);
          return;
        }
        if (g) send(edge.node, g);
        const left = deps.get(edge.node)! - 1;
        deps.set(edge.node, left);
        if (left === 0) ready.push(edge.node);
      });
    }
  });
  return retained;
}
