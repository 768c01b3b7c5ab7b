/**
 * Tracing, as dynamo does on a compiled function's first call for a guard key: the function runs
 * eagerly (its result is the call's result) while every op it calls is recorded into a Graph.
 *
 * What a graph of ops cannot replay breaks the trace (PyTorch's graph break): reading tensor values
 * on the host (.item(), .tolist(): data-dependent control flow), random draws outside an op
 * (dropout in training mode), a kernel launched outside an op (a comparison such as x.gt(0), an
 * in-place op), a tensor made outside the ops (torch.zeros, torch.rand), an in-place change to a
 * tensor the graph reads, or an async forward. The caller then runs that key eagerly.
 */
import type { Backend } from '../backend/types.ts';
import { backendFor, hasBackend } from '../backend/registry.ts';
import { storagesCreated } from '../tensor/storage.ts';
import { Tensor } from '../tensor/tensor.ts';
import type { Graph, OpNode, Ref } from './graph.ts';
import { tracer as currentTracer, withTracer, type Tracer } from './hooks.ts';

export type TraceResult = { result: unknown; graph: Graph } | { result: unknown; graph: null; breakAt: string };

/** Kernels a traced op runs inside its forward; called outside every op, they are untraced work. */
const KERNELS = [
  'unary',
  'binary',
  'where',
  'reduce',
  'argReduce',
  'argsort',
  'matmul',
  'gather',
  'scatterAdd',
  'softmax',
  'im2col',
  'col2im',
  'adamStep',
  'reluBackward',
  'fused',
] as const;
const READS = ['read', 'readSync'] as const;

export function trace(fn: (...args: unknown[]) => unknown, args: readonly unknown[]): TraceResult {
  const start = storagesCreated();
  const nodes: OpNode[] = [];
  const produced = new Map<Tensor, number>();
  const scalars = new Map<Tensor, number | boolean>();
  const inputs = new Map<Tensor, number>();
  args.forEach((a, i) => a instanceof Tensor && !inputs.has(a) && inputs.set(a, i));
  const versions = new Map<Tensor, number>();
  let breakAt: string | null = null;
  const brk = (what: string): void => void (breakAt ??= what);

  const encode = (v: unknown): Ref => {
    if (v instanceof Tensor) {
      if (!versions.has(v)) versions.set(v, v._version);
      const node = produced.get(v);
      if (node !== undefined) return { kind: 'node', index: node };
      const input = inputs.get(v);
      if (input !== undefined) return { kind: 'input', index: input };
      const value = scalars.get(v);
      if (value !== undefined) return { kind: 'scalar', value, dtype: v.dtype, device: v.device };
      // Made during the call (or a view of what was) by something that is not a traced op.
      if (v.storage.serial >= start || [...inputs.keys()].some((t) => t.storage === v.storage)) {
        brk('a tensor made outside the traced ops (a factory such as torch.zeros, or a view made by hand)');
      }
      return { kind: 'tensor', tensor: v };
    }
    if (Array.isArray(v)) return { kind: 'list', items: v.map(encode) };
    if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      return { kind: 'object', entries: Object.entries(v).map(([k, x]) => [k, encode(x)] as const) };
    }
    return { kind: 'value', value: v };
  };

  const tracer: Tracer = {
    op({ name, forward, backward, args: opArgs, out, raw = false, engineOnly = false }) {
      const node: OpNode = {
        kind: 'op',
        raw,
        engineOnly,
        name,
        forward,
        backward,
        args: opArgs.map(encode),
        shape: out.shape,
        dtype: out.dtype,
        device: out.device,
      };
      produced.set(out, nodes.length);
      versions.set(out, out._version);
      nodes.push(node);
    },
    scalar(t, value) {
      scalars.set(t, value);
    },
    untraced: brk,
  };

  const restore = instrumentBackends(tracer, brk);
  let result: unknown;
  try {
    result = withTracer(tracer, () => fn(...args));
  } finally {
    restore();
  }
  if (result instanceof Promise) brk('an async forward (an await inside it, e.g. on x.item())');
  const output = encode(result);
  for (const [t, version] of versions) {
    if (t._version !== version) brk(`an in-place change to a ${t.dtype} tensor of shape [${t.shape.join(', ')}]`);
  }
  return breakAt === null ? { result, graph: { nodes, output } } : { result, graph: null, breakAt };
}

/**
 * While tracing, the registered backends report kernels launched and values read outside every op
 * (inside an op's forward the tracer is off, so those go through as they are). Returns the undo.
 */
function instrumentBackends(tracer: Tracer, brk: (what: string) => void): () => void {
  const undo: (() => void)[] = [];
  for (const device of ['cpu', 'webgpu'] as const) {
    if (!hasBackend(device)) continue;
    const backend = backendFor(device) as unknown as Record<string, unknown>;
    const wrap = (key: (typeof KERNELS)[number] | (typeof READS)[number], what: (args: unknown[]) => string) => {
      const original = backend[key];
      if (typeof original !== 'function') return;
      const own = Object.getOwnPropertyDescriptor(backend, key);
      backend[key] = function (this: Backend, ...a: unknown[]) {
        if (currentTracer() === tracer) brk(what(a));
        return (original as (...x: unknown[]) => unknown).apply(this, a);
      };
      undo.push(() => (own ? Object.defineProperty(backend, key, own) : delete backend[key]));
    };
    for (const k of KERNELS)
      wrap(k, (a) => `the ${typeof a[0] === 'string' ? `${a[0]} ` : ''}${k} kernel launched outside an op`);
    for (const k of READS)
      wrap(k, () => 'tensor values read on the host (.item(), .tolist(), a data-dependent branch)');
  }
  return () => undo.reverse().forEach((f) => f());
}
