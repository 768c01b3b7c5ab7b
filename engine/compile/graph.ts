/**
 * A traced forward as a graph of the engine's ops (what dynamo hands to its backend), and running
 * it on new inputs: each op node calls the op as eager mode would (autograd records it the same
 * way), each fused node runs its chain as one kernel (run-fused.ts).
 */
import { applyFunction, Context, operandTemporary, type BackwardFnOf, type ForwardFn } from '../autograd/function.ts';
import type { FusedProgram } from '../backend/types.ts';
import type { DType, Device } from '../dtype.ts';
import { scalarTensor } from '../ops/kernels.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** Where an argument of a node (or the graph's output) comes from. */
export type Ref =
  | { readonly kind: 'input'; readonly index: number }
  | { readonly kind: 'node'; readonly index: number }
  /** A tensor that existed before the call (a parameter, a buffer, a captured constant), by reference. */
  | { readonly kind: 'tensor'; readonly tensor: Tensor }
  /** A number the op layer made a tensor of (x.mul(2)): made again on each run. */
  | { readonly kind: 'scalar'; readonly value: number | boolean; readonly dtype: DType; readonly device: Device }
  /** Anything else (a dim, a shape, an option), fixed by the trace. */
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'list'; readonly items: readonly Ref[] }
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, Ref])[] };

/** An op as applyFunction runs it. */
export interface Piece {
  readonly name: string;
  readonly forward: ForwardFn;
  readonly backward: BackwardFnOf;
}

/** What an op's output looked like in the trace (fuse.ts decides from it). */
export interface OutputMeta {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly device: Device;
}

export interface OpNode extends Piece, OutputMeta {
  readonly kind: 'op';
  /** A kernel with no gradient, run as it is rather than through autograd (see OpCall.raw). */
  readonly raw: boolean;
  /** As applyFunction's engineOnly (an engine op: its temporaries are freed at once). */
  readonly engineOnly: boolean;
  readonly args: readonly Ref[];
}

/**
 * An elementwise chain run as one kernel: program input k is inputs[k], step k is pieces[k] (for a
 * backward that runs the ops one by one).
 *
 * Or, with `linear`, a product and its epilogue, PyTorch's addmm with the chain after it: inputs[0]
 * and inputs[1] are x [N, in] and w [out, in], the program's input 0 is x·wᵀ (made by the node),
 * its input k is inputs[k + 1] (the bias first), its step 0 adds the bias. pieces is then null: the
 * fuser made sure the backward plan fits (fuse.ts).
 */
export interface FusedNode extends OutputMeta {
  readonly kind: 'fused';
  readonly program: FusedProgram;
  readonly pieces: readonly Piece[] | null;
  readonly inputs: readonly Ref[];
  readonly linear: boolean;
}

export type GraphNode = OpNode | FusedNode;

export interface Graph {
  readonly nodes: readonly GraphNode[];
  readonly output: Ref;
}

/** Runs a fused node on its input tensors (run-fused.ts, which depends on this module). */
export type FusedRunner = (node: FusedNode, inputs: Tensor[]) => Tensor;

/** The graph's output for `args`, its ops run in trace order. */
export function runGraph(graph: Graph, args: readonly unknown[], runFused: FusedRunner): unknown {
  const values: Tensor[] = [];
  const resolve = (ref: Ref): unknown => {
    switch (ref.kind) {
      case 'input':
        return args[ref.index];
      case 'node':
        return values[ref.index];
      case 'tensor':
        return ref.tensor;
      case 'scalar':
        return operandTemporary(scalarTensor(ref.value, ref.dtype, ref.device));
      case 'value':
        return ref.value;
      case 'list':
        return ref.items.map(resolve);
      case 'object':
        return Object.fromEntries(ref.entries.map(([k, r]) => [k, resolve(r)]));
    }
  };
  for (const node of graph.nodes) {
    if (node.kind === 'fused') values.push(runFused(node, node.inputs.map(resolve) as Tensor[]));
    else if (node.raw) values.push(node.forward(new Context(node.name), ...node.args.map(resolve)));
    else values.push(applyFunction(node.name, node.forward, node.backward, node.args.map(resolve), node.engineOnly));
  }
  return resolve(graph.output);
}
