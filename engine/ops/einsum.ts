/**
 * torch.einsum: Einstein summation, composed from diagonal, sum, permute, reshape and matmul (so it
 * has its gradient and runs on every backend). Operands are contracted left to right, each pair as
 * one batched matmul over the labels they share, as PyTorch's own implementation does.
 */
import { argTypeError, tensorListArg } from '../args.ts';
import { formatShape } from '../tensor/shape.ts';
import type { Tensor } from '../tensor/tensor.ts';

/** A tensor whose dims carry labels (a letter, or '…k' for the k-th dim of the ellipsis). */
interface Labelled {
  t: Tensor;
  labels: string[];
}

const LETTER = /^[a-zA-Z]$/;
const product = (xs: readonly number[]): number => xs.reduce((a, b) => a * b, 1);

/** One operand's subscripts: its letters, and where '...' stands (−1 without). */
function parseTerm(term: string, what: string): { letters: string[]; ellipsisAt: number } {
  const parts = term.split('...');
  if (parts.length > 2) throw new RangeError(`einsum(): found more than one ellipsis ("...") in ${what}`);
  if (parts.some((part) => part.includes('.')))
    throw new RangeError(`einsum(): found '.' for ${what} that is not part of any ellipsis`);
  const bad = [...parts.join('')].find((c) => !LETTER.test(c));
  if (bad !== undefined) throw new RangeError(`einsum(): invalid subscript '${bad}' in ${what}`);
  return { letters: [...parts.join('')], ellipsisAt: parts.length === 2 ? parts[0]!.length : -1 };
}

const ellipsisLabels = (n: number, total: number): string[] => Array.from({ length: n }, (_, i) => `…${total - n + i}`);

/** Repeated labels in one operand take the diagonal (as einsum('ii->i', x) does). */
function takeDiagonals(op: Labelled): Labelled {
  let { t, labels } = op;
  for (;;) {
    const p = labels.findIndex((l, i) => labels.indexOf(l) !== i);
    if (p < 0) return { t, labels };
    const first = labels.indexOf(labels[p]!);
    if (t.shape[first] !== t.shape[p])
      throw new RangeError(
        `einsum(): subscript ${labels[p]} is repeated for operand but the sizes don't match, ${t.shape[first]} != ${t.shape[p]}`,
      );
    t = t.diagonal(0, first, p);
    labels = [...labels.filter((_, i) => i !== first && i !== p), labels[p]!];
  }
}

/** Sums away the dims whose labels are not in `keep`. */
function sumOut(op: Labelled, keep: ReadonlySet<string>): Labelled {
  const dims = op.labels.flatMap((l, i) => (keep.has(l) ? [] : [i]));
  if (dims.length === 0) return op;
  return { t: op.t.sum({ dim: dims }), labels: op.labels.filter((l) => keep.has(l)) };
}

/** a and b contracted over their shared labels not in `keep`, batched over the shared ones in it. */
function contract(a: Labelled, b: Labelled, keep: ReadonlySet<string>, sizes: Map<string, number>): Labelled {
  const inB = new Set(b.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const summed = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const aOnly = a.labels.filter((l) => !inB.has(l));
  const bOnly = b.labels.filter((l) => !a.labels.includes(l));
  const arrange = (op: Labelled, order: string[]): Tensor =>
    op.t.permute(order.map((l) => op.labels.indexOf(l))).expand(order.map((l) => sizes.get(l)!));
  const size = (ls: string[]) => product(ls.map((l) => sizes.get(l)!));
  const [nb, m, k, n] = [size(batch), size(aOnly), size(summed), size(bOnly)];
  const left = arrange(a, [...batch, ...aOnly, ...summed]).reshape([nb, m, k]);
  const right = arrange(b, [...batch, ...summed, ...bOnly]).reshape([nb, k, n]);
  const labels = [...batch, ...aOnly, ...bOnly];
  return { t: left.matmul(right).reshape(labels.map((l) => sizes.get(l)!)), labels };
}

/**
 * torch.einsum(equation, *operands) (operands also as one array): 'ij,jk->ik', 'bij,bjk->bik',
 * 'ii->' (trace), 'ij->ji', 'i,j->ij', '...ij,...jk->...ik'; without '->' the output is the
 * labels seen once, in alphabetical order (after the ellipsis' dims). Size-1 dims broadcast.
 */
export function einsum(equation: string, ...operands: Tensor[] | [readonly Tensor[]]): Tensor {
  const call = 'torch.einsum';
  if (typeof equation !== 'string') throw argTypeError(call, 'equation', 1, 'a string', equation);
  const list = tensorListArg(
    call,
    'operands',
    2,
    operands.length === 1 && Array.isArray(operands[0]) ? operands[0] : operands,
  );
  const eq = equation.replace(/\s/g, '');
  [...eq].forEach((c, i) => {
    if (!LETTER.test(c) && !',.->'.includes(c))
      throw new RangeError(
        `einsum(): invalid subscript given at index ${i} in the equation string, subscripts must be in [a-zA-Z]`,
      );
  });
  const arrow = eq.indexOf('->');
  const lhs = arrow < 0 ? eq : eq.slice(0, arrow);
  const terms = lhs.split(',');
  if (terms.length > list.length)
    throw new RangeError('einsum(): fewer operands were provided than specified in the equation');
  if (terms.length < list.length)
    throw new RangeError('einsum(): more operands were provided than specified in the equation');
  const parsed = terms.map((term, i) => parseTerm(term, `operand ${i}`));
  const ellipsisDims = Math.max(
    0,
    ...parsed.map((p, i) => {
      const t = list[i]!;
      if (p.ellipsisAt < 0) {
        if (p.letters.length !== t.ndim)
          throw new RangeError(
            `einsum(): the number of subscripts in the equation (${p.letters.length}) does not match the number of dimensions (${t.ndim}) for operand ${i} and no ellipsis was given`,
          );
        return 0;
      }
      if (p.letters.length > t.ndim)
        throw new RangeError(
          `einsum(): the number of subscripts in the equation (${p.letters.length}) is more than the number of dimensions (${t.ndim}) for operand ${i}`,
        );
      return t.ndim - p.letters.length;
    }),
  );
  // Every operand's dims labelled; each label's size, size-1 dims broadcasting against the others.
  const sizes = new Map<string, number>();
  const ops: Labelled[] = parsed.map((p, i) => {
    const t = list[i]!;
    const fill = p.ellipsisAt < 0 ? [] : ellipsisLabels(t.ndim - p.letters.length, ellipsisDims);
    const labels =
      p.ellipsisAt < 0 ? p.letters : [...p.letters.slice(0, p.ellipsisAt), ...fill, ...p.letters.slice(p.ellipsisAt)];
    const op = takeDiagonals({ t, labels });
    op.labels.forEach((l, d) => {
      const n = op.t.shape[d]!;
      const seen = sizes.get(l);
      if (seen !== undefined && seen !== n && seen !== 1 && n !== 1)
        throw new RangeError(
          `einsum(): operands do not broadcast with remapped shapes (original->remapped): subscript ${l.startsWith('…') ? '...' : l} has size ${n} for operand ${i} (shape ${formatShape(t.shape)}) which does not broadcast with previously seen size ${seen}`,
        );
      if (seen === undefined || seen === 1) sizes.set(l, n);
    });
    return op;
  });
  const counts = new Map<string, number>();
  for (const op of ops) for (const l of new Set(op.labels)) counts.set(l, (counts.get(l) ?? 0) + 1);
  let output: string[];
  if (arrow < 0) {
    const once = [...counts].filter(([l, c]) => c === 1 && !l.startsWith('…')).map(([l]) => l);
    output = [...ellipsisLabels(ellipsisDims, ellipsisDims), ...once.sort()];
  } else {
    const out = parseTerm(eq.slice(arrow + 2), 'the output');
    output =
      out.ellipsisAt < 0
        ? out.letters
        : [
            ...out.letters.slice(0, out.ellipsisAt),
            ...ellipsisLabels(ellipsisDims, ellipsisDims),
            ...out.letters.slice(out.ellipsisAt),
          ];
    for (const [i, l] of output.entries()) {
      if (output.indexOf(l) !== i)
        throw new RangeError(`einsum(): output subscript ${l} appears more than once in the output`);
      if (!counts.has(l) && !l.startsWith('…'))
        throw new RangeError(`einsum(): output subscript ${l} does not appear in the equation for any input operand`);
    }
    // An ellipsis the output names but no operand filled (0 dims) is nothing.
    output = output.filter((l) => counts.has(l));
  }
  if (arrow < 0) output = output.filter((l) => counts.has(l));
  const needed = (from: number): Set<string> => new Set([...output, ...ops.slice(from).flatMap((op) => op.labels)]);
  let acc = sumOut(ops[0]!, needed(1));
  for (let i = 1; i < ops.length; i++) {
    const keep = needed(i + 1);
    const next = sumOut(ops[i]!, new Set([...keep, ...acc.labels]));
    acc = contract(sumOut(acc, new Set([...keep, ...next.labels])), next, keep, sizes);
  }
  const result = sumOut(acc, new Set(output));
  const t = result.t.permute(output.map((l) => result.labels.indexOf(l)));
  return t.expand(output.map((l) => sizes.get(l)!));
}
