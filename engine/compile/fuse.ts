/**
 * Fusion, as inductor does for pointwise ops: in a traced graph, chains of elementwise ops of one
 * float dtype and shape (an intermediate read by nothing else) become one node that runs as one
 * kernel (Backend.fused). Inputs of the chain may broadcast (a bias, a scalar). A chain (of one op
 * or more) that reads a Linear's product (eager's one AddmmBackward0 node, x·wᵀ + b) read by
 * nothing else takes that node in as its epilogue: relu(x @ W.T + b) is the product, then bias-add
 * and ReLU in one pass over it, in place, and backward is one ReLU-backward pass then addmm's.
 *
 * Running a fused node, forward and backward, is run-fused.ts's.
 */
import { isHalfPrecision } from '../dtype.ts';
import { backendFor, hasBackend } from '../backend/registry.ts';
import type { BinaryOp, FusedStep, UnaryOp } from '../backend/types.ts';
import { planBackward } from './backward.ts';
import type { FusedNode, Graph, GraphNode, OpNode, Ref } from './graph.ts';

/** The elementwise ops by their autograd node names (each name belongs to one op in engine/ops). */
const UNARY: Readonly<Record<string, UnaryOp>> = {
  NegBackward0: 'neg',
  AbsBackward0: 'abs',
  ExpBackward0: 'exp',
  LogBackward0: 'log',
  SqrtBackward0: 'sqrt',
  RsqrtBackward0: 'rsqrt',
  ReciprocalBackward0: 'reciprocal',
  SinBackward0: 'sin',
  CosBackward0: 'cos',
  TanhBackward0: 'tanh',
  SigmoidBackward0: 'sigmoid',
  ReluBackward0: 'relu',
};
const BINARY: Readonly<Record<string, BinaryOp>> = {
  AddBackward0: 'add',
  SubBackward0: 'sub',
  MulBackward0: 'mul',
  DivBackward0: 'div',
};

/** WebGPU's default limit is 8 storage buffers per shader stage: the output and 7 inputs. */
export const MAX_INPUTS = 7;

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((d, i) => d === b[i]);

function isElementwise(node: GraphNode): node is OpNode {
  if (node.kind !== 'op' || (node.dtype !== 'float32' && node.dtype !== 'float64')) return false;
  if (!hasBackend(node.device) || !backendFor(node.device).fused) return false;
  const arity = node.name in UNARY ? 1 : node.name in BINARY ? 2 : 0;
  return (
    arity > 0 &&
    node.args.length === arity &&
    node.args.every((r) => ['input', 'node', 'tensor', 'scalar'].includes(r.kind))
  );
}

/**
 * Whether `node` is a Linear's product (AddmmBackward0) with the chain's dtype and shape. A 2-byte
 * one keeps its own node: its bias is added before the one rounding, which the epilogue cannot do.
 */
function isProductOf(node: GraphNode, chain: OpNode): boolean {
  return (
    node.kind === 'op' &&
    node.name === 'AddmmBackward0' &&
    !isHalfPrecision(node.dtype) &&
    node.dtype === chain.dtype &&
    sameShape(node.shape, chain.shape)
  );
}

function nodeRefs(ref: Ref, found: number[] = []): number[] {
  if (ref.kind === 'node') found.push(ref.index);
  else if (ref.kind === 'list') ref.items.forEach((r) => nodeRefs(r, found));
  else if (ref.kind === 'object') ref.entries.forEach(([, r]) => nodeRefs(r, found));
  return found;
}

function mapRefs(ref: Ref, f: (index: number) => number): Ref {
  if (ref.kind === 'node') return { kind: 'node', index: f(ref.index) };
  if (ref.kind === 'list') return { kind: 'list', items: ref.items.map((r) => mapRefs(r, f)) };
  if (ref.kind === 'object')
    return { kind: 'object', entries: ref.entries.map(([k, r]) => [k, mapRefs(r, f)] as const) };
  return ref;
}

const argsOf = (node: GraphNode): Ref => ({ kind: 'list', items: node.kind === 'op' ? node.args : node.inputs });

/** The graph with each elementwise chain of two ops or more replaced by one fused node. */
export function fuse(graph: Graph): Graph {
  const { nodes } = graph;
  const uses = new Array<number>(nodes.length).fill(0);
  for (const node of nodes) for (const i of nodeRefs(argsOf(node))) uses[i]!++;
  for (const i of nodeRefs(graph.output)) uses[i]!++;
  // groups.get(root): the members of the chain ending at root, in graph order.
  const groups = new Map<number, number[]>();
  nodes.forEach((node, c) => {
    if (!isElementwise(node)) return;
    let members = [c];
    for (const ref of node.args) {
      if (ref.kind !== 'node' || !groups.has(ref.index)) continue;
      const p = nodes[ref.index]!;
      if (
        uses[ref.index] !== 1 ||
        p.dtype !== node.dtype ||
        p.device !== node.device ||
        !sameShape(p.shape, node.shape)
      ) {
        continue;
      }
      members = [...groups.get(ref.index)!, ...members];
      groups.delete(ref.index);
    }
    groups.set(
      c,
      members.sort((a, b) => a - b),
    );
  });
  const fusedAt = new Map<number, FusedNode>();
  const absorbed = new Set<number>();
  for (const [root, members] of groups) {
    const ops = members.map((i) => nodes[i] as OpNode);
    const head = ops
      .flatMap((op) => op.args)
      .find((r) => r.kind === 'node' && uses[r.index] === 1 && isProductOf(nodes[r.index]!, ops[0]!));
    const at = head?.kind === 'node' ? head.index : undefined;
    const epilogue = at === undefined ? null : fusedNode(ops, members, nodes[at] as OpNode, at);
    const fused = epilogue && fits(epilogue) ? epilogue : members.length > 1 ? fusedNode(ops, members) : null;
    if (fused === null || fused.program.inputs > MAX_INPUTS) continue;
    fusedAt.set(root, fused);
    for (const m of members) if (m !== root) absorbed.add(m);
    if (fused.linear) absorbed.add(at!);
  }
  if (fusedAt.size === 0) return graph;
  const index = new Map<number, number>();
  const out: GraphNode[] = [];
  nodes.forEach((node, i) => {
    if (absorbed.has(i)) return;
    index.set(i, out.length);
    const replaced = fusedAt.get(i) ?? node;
    const remap = (r: Ref) => mapRefs(r, (j) => index.get(j)!);
    out.push(
      replaced.kind === 'op'
        ? { ...replaced, args: replaced.args.map(remap) }
        : { ...replaced, inputs: replaced.inputs.map(remap) },
    );
  });
  return { nodes: out, output: mapRefs(graph.output, (j) => index.get(j)!) };
}

/**
 * One fused node for a chain's ops (graph order; the last is the chain's output), with `head`, the
 * AddmmBackward0 node at graph index `at` the chain reads, as its product and epilogue.
 */
function fusedNode(ops: readonly OpNode[], members: readonly number[], head?: OpNode, at?: number): FusedNode {
  // With a head: its x, w and bias come first, the product is program input 0, the bias input 1.
  const inputs: Ref[] = head ? [...head.args] : [];
  const own = head ? 2 : 0; // inputs[own …] are program inputs own − lead …
  const lead = head ? 1 : 0; // steps before the chain's: the bias add
  const valueOf = (ref: Ref): number => {
    if (ref.kind === 'node' && ref.index === at) return -1;
    if (ref.kind === 'node' && members.includes(ref.index)) {
      return -1 - lead - members.indexOf(ref.index); // a step's value: numbered once the inputs are known
    }
    const same = inputs.findIndex((r, i) => i >= own && sameRef(r, ref));
    if (same >= 0) return same - lead;
    inputs.push(ref);
    return inputs.length - 1 - lead;
  };
  const raw = ops.map((op) => op.args.map(valueOf));
  const count = inputs.length - lead;
  const number = (v: number): number => (v >= 0 ? v : count + (-1 - v));
  const steps = ops.map((op, s): FusedStep => {
    const args = raw[s]!.map(number);
    return op.name in UNARY
      ? { kind: 'unary', op: UNARY[op.name]!, args: [args[0]!] }
      : { kind: 'binary', op: BINARY[op.name]!, args: [args[0]!, args[1]!] };
  });
  const last = ops.at(-1)!;
  return {
    kind: 'fused',
    program: { inputs: count, steps: head ? [{ kind: 'binary', op: 'add', args: [0, 1] }, ...steps] : steps },
    pieces: head ? null : ops.map(({ name, forward, backward }) => ({ name, forward, backward })),
    inputs,
    shape: last.shape,
    dtype: last.dtype,
    device: last.device,
    linear: head !== undefined,
  };
}

/**
 * Whether an epilogue's backward kernels bind at most MAX_INPUTS values whichever inputs need a
 * gradient (it has no op-by-op fallback): planned with every input needing one and only the bias
 * broadcast, the largest kernels it can have (a broadcast input's terms are kernels of their own).
 */
function fits(node: FusedNode): boolean {
  const { inputs } = node.program;
  const all = new Array<boolean>(inputs).fill(true);
  return (
    planBackward(
      node.program,
      all,
      all.map((_, i) => i === 1),
      MAX_INPUTS,
    ) !== null
  );
}

/** Two refs to the same tensor (a parameter by identity, an input or a node by index). */
function sameRef(a: Ref, b: Ref): boolean {
  if (a.kind === 'tensor' && b.kind === 'tensor') return a.tensor === b.tensor;
  return a.kind === b.kind && (a.kind === 'input' || a.kind === 'node') && a.index === (b as typeof a).index;
}
