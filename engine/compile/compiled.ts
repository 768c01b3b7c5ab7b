/**
 * A compiled callable with dynamo's guards: one graph per guard key (each tensor argument's shape,
 * dtype, device and requiresGrad, the other arguments' values, grad mode, autocast, and what the
 * caller adds such as a module's training flag). A key's first call traces (trace.ts) and fuses
 * (fuse.ts); its later calls run the fused graph. A key whose trace broke runs eagerly from then on,
 * or, with fullgraph, raises an error naming what broke it.
 */
import { getAutocastDtype, isAutocastEnabled } from '../amp/autocast.ts';
import { freeingTemporaries } from '../autograd/function.ts';
import { isGradEnabled } from '../autograd/grad-mode.ts';
import { Tensor } from '../tensor/tensor.ts';
import { fuse } from './fuse.ts';
import { runGraph, type Graph } from './graph.ts';
import { runFused } from './run-fused.ts';
import { trace } from './trace.ts';

function describeArg(a: unknown): string | null {
  if (a instanceof Tensor) return `T[${a.shape.join(',')}]:${a.dtype}:${a.device}:${a.requiresGrad}`;
  if (a === undefined) return 'undefined';
  if (a === null || ['number', 'string', 'boolean'].includes(typeof a)) return JSON.stringify(a);
  return null; // an object or a function: not a guard dynamo-style keys can compare, so eager
}

function breakError(at: string): Error {
  return new Error(`torch.compile(fullgraph: true): graph break at ${at}. Remove it, or compile without fullgraph.`);
}

/** What the caller adds to the guards. */
export interface CallerGuard {
  /** A part of the guard key (a module's training flags). */
  readonly state: string;
  /** Objects the graphs hold by reference (a module's parameters): if any is replaced, retrace. */
  readonly held: readonly object[];
  /** What makes every call a graph break (a module's hooks, which a graph would not call), or null. */
  readonly unsupported: string | null;
}

const NO_GUARD: CallerGuard = { state: '', held: [], unsupported: null };

export class CompiledFunction {
  /** The graph per guard key; null where the trace broke (run eagerly). */
  private readonly graphs = new Map<string, Graph | null>();
  private identity: readonly object[] = [];

  constructor(
    private readonly fn: (...args: unknown[]) => unknown,
    private readonly fullgraph: boolean,
    /** The caller's part of the guards, asked once a call (a module's, from one walk of it). */
    private readonly guard: () => CallerGuard = () => NO_GUARD,
  ) {}

  call(args: readonly unknown[]): unknown {
    const { state, held, unsupported } = this.guard();
    if (unsupported !== null) {
      if (this.fullgraph) throw breakError(unsupported);
      return this.fn(...args);
    }
    const described = args.map(describeArg);
    if (described.includes(null)) return this.fn(...args);
    const autocast = (['cpu', 'webgpu'] as const).map((d) => (isAutocastEnabled(d) ? getAutocastDtype(d) : '-'));
    const key = `${described.join('|')}#${state}#${isGradEnabled()}#${autocast.join(',')}`;
    if (held.length !== this.identity.length || held.some((o, i) => o !== this.identity[i])) {
      this.graphs.clear();
      this.identity = held;
    }
    const graph = this.graphs.get(key);
    if (graph === null) return this.fn(...args);
    if (graph) {
      // The graph's intermediates reach nothing but the graph run (and what its nodes save): dead
      // once it returns, their buffers go back to the backend then, as a layer's eager temporaries do.
      const engineOnly = graph.nodes.every((n) => n.kind === 'fused' || n.engineOnly || n.raw);
      return freeingTemporaries(() => runGraph(graph, args, runFused), undefined, engineOnly);
    }
    const traced = trace(this.fn, args);
    if (traced.graph === null) {
      if (this.fullgraph) throw breakError(traced.breakAt);
      this.graphs.set(key, null);
    } else {
      this.graphs.set(key, fuse(traced.graph));
    }
    return traced.result;
  }
}
