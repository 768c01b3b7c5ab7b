/**
 * A node of the autograd graph (PyTorch's grad_fn): what one operation needs to send the gradient
 * of its output back to its inputs. Leaves are reached through the tensor itself, so the walk in
 * engine.ts can accumulate into `.grad`.
 */
import type { DType } from '../dtype.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { close, type Entry, type Owner } from '../tensor/ledger.ts';
import type { Context } from './function.ts';
import { isGradEnabled } from './grad-mode.ts';

export type Edge = { node: Node } | { leaf: Tensor };

export type BackwardFn = (ctx: Context, grad: Tensor) => readonly unknown[];

export interface InputMeta {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** How many nodes still hold each storage they are to free (see Node.freeLater). */
const holders = new WeakMap<Owner, number>();

export class Node {
  /** One entry per forward argument: where its gradient goes, or null when it needs none. */
  readonly next: readonly (Edge | null)[];
  readonly inputs: readonly (InputMeta | null)[];
  /** A non-leaf output whose `.grad` was asked for with retainGrad(). */
  retained: WeakRef<Tensor> | null = null;
  private freed = false;
  /** Saved storages only the graph can reach, freed when the last node holding them is released. */
  private readonly freeing = new Set<Owner>();

  constructor(
    readonly name: string,
    args: readonly unknown[],
    private readonly ctx: Context,
    private readonly backwardFn: BackwardFn,
    isTensor: (value: unknown) => value is Tensor,
    /** The tensors ctx holds for backward (Context.heldTensors when forward returned). */
    private held: Tensor[],
    /** The storages its forward allocated and the graph keeps: its output and what it saved. */
    private readonly owned: Entry[] = [],
    /**
     * Whether backward runs only engine code: then the gradient it receives and the temporaries it
     * makes reach nobody else, and backward may free them (a custom Function or hook may keep them).
     */
    readonly engineOnly = false,
  ) {
    this.next = args.map((a): Edge | null => {
      if (!isTensor(a) || !a.requiresGrad) return null;
      return a.gradFn ? { node: a.gradFn } : { leaf: a };
    });
    this.inputs = args.map((a) => (isTensor(a) && a.requiresGrad ? { shape: a.shape, dtype: a.dtype } : null));
  }

  /** Gradients for each forward argument, given the gradient of the output. */
  apply(grad: Tensor): readonly unknown[] {
    if (this.freed) {
      throw new Error(
        `Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed), at ${this.name}. ` +
          'Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). ' +
          'Specify { retainGraph: true } if you need to backward through the graph a second time.',
      );
    }
    // Recorded (createGraph), backward hands what this node saved to the nodes it makes: from then
    // on more than the graph's nodes that took it may hold it, so it is never freed here.
    if (isGradEnabled()) for (const storage of this.freeing) holders.set(storage, Infinity);
    return this.backwardFn(this.ctx, grad);
  }

  /** The tensors it keeps for backward. */
  heldTensors(): Tensor[] {
    return this.held;
  }

  /** Takes a storage it saved as its own, to stop counting when backward frees the graph. */
  adopt(entry: Entry): void {
    this.owned.push(entry);
  }

  /**
   * Takes a storage it saved that no tensor outside the graph views (engine code made it and kept
   * it to itself), to free with the last node holding it when backward releases the graph.
   */
  freeLater(storage: Owner): void {
    if (this.freeing.has(storage)) return;
    this.freeing.add(storage);
    holders.set(storage, (holders.get(storage) ?? 0) + 1);
  }

  /**
   * Drops saved tensors so their memory can go; a second backward then fails clearly. The output
   * and saved tensors stop counting in torch.memory now, as PyTorch frees them here (an output the
   * program still holds stays readable; it is no longer counted).
   */
  release(): void {
    this.freed = true;
    this.held = [];
    this.ctx.release();
    for (const entry of this.owned) close(entry);
    for (const storage of this.freeing) {
      const left = holders.get(storage)! - 1;
      holders.set(storage, left);
      if (left === 0) storage.release();
    }
    // A released node keeps no storage alive (the graph may outlive it, held by its output).
    this.freeing.clear();
  }
}
