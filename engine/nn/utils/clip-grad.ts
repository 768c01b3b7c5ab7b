/**
 * torch.nn.utils.clip_grad_norm_ and clip_grad_value_. The total norm stays a tensor on the
 * gradients' device and the scaling is a multiply by a clamped coefficient, so clipping never waits
 * for the device to answer (unless errorIfNonfinite asks it to check).
 */
import { noGrad } from '../../autograd/grad-mode.ts';
import { div } from '../../ops/elementwise.ts';
import { stack } from '../../ops/indexing.ts';
import { zeros } from '../../tensor/create.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { argTypeError, isIterable, namedArgs, typeName } from '../../args.ts';

export type NormType = number | 'inf';

function gradsOf(call: string, parameters: Tensor | Iterable<Tensor>): Tensor[] {
  if (!(parameters instanceof Tensor) && !isIterable(parameters))
    throw argTypeError(call, 'parameters', 1, 'a Tensor or an iterable of Tensors', parameters);
  const params = parameters instanceof Tensor ? [parameters] : [...parameters];
  params.forEach((p, i) => {
    if (!(p instanceof Tensor))
      throw new TypeError(`${call}(): parameters must be Tensors, but element ${i} is ${typeName(p)}`);
  });
  return params.flatMap((p) => (p._grad() ? [p._grad()!] : []));
}

/** torch.linalg.vector_norm of all elements. */
function vectorNorm(x: Tensor, p: number): Tensor {
  if (p === Infinity) return x.abs().max();
  if (p === -Infinity) return x.abs().min();
  if (p === 0) return x.ne(0).sum().to(x.dtype);
  if (p === 1) return x.abs().sum();
  if (p === 2) return x.mul(x).sum().sqrt();
  return x
    .abs()
    .pow(p)
    .sum()
    .pow(1 / p);
}

export interface ClipGradNormOptions {
  normType?: NormType;
  errorIfNonfinite?: boolean;
}

/**
 * Scales all gradients together so that their combined norm is at most maxNorm; returns that
 * norm (before clipping). As PyTorch: coefficient = min(maxNorm / (total + 1e-6), 1).
 */
export function clipGradNorm_(
  parameters: Tensor | Iterable<Tensor>,
  maxNorm: number,
  normType?: NormType,
  errorIfNonfinite?: boolean,
): Tensor;
export function clipGradNorm_(
  parameters: Tensor | Iterable<Tensor>,
  maxNorm: number,
  options: ClipGradNormOptions,
): Tensor;
export function clipGradNorm_(parameters: Tensor | Iterable<Tensor>, maxNorm: number, ...rest: unknown[]): Tensor {
  const o = namedArgs<ClipGradNormOptions>('torch.nn.utils.clipGradNorm_', ['normType', 'errorIfNonfinite'], rest);
  const p = o.normType === 'inf' ? Infinity : (o.normType ?? 2);
  const grads = gradsOf('torch.nn.utils.clipGradNorm_', parameters);
  if (grads.length === 0) return zeros([]);
  return noGrad(() => {
    const norms = grads.map((g) => vectorNorm(g, p));
    const total = vectorNorm(stack(norms.map((n) => n.to(norms[0]!.dtype))), p);
    if (o.errorIfNonfinite) checkFinite(total, p);
    const coefficient = div(maxNorm, total.add(1e-6)).clamp(null, 1);
    for (const g of grads) g.mul_(coefficient);
    return total;
  });
}

function checkFinite(total: Tensor, p: number): void {
  const backend = total.storage.backend;
  if (!backend.readSync)
    throw new Error(`errorIfNonfinite needs to read the norm, which ${total.device} cannot do synchronously`);
  if (!Number.isFinite(backend.readSync(total.strided)[0]!)) {
    throw new Error(
      `The total norm of order ${p} for gradients from \`parameters\` is non-finite, so it cannot be clipped. ` +
        'To disable this error and scale the gradients by the non-finite norm anyway, set errorIfNonfinite: false',
    );
  }
}

/** Clamps every gradient element into [−clipValue, clipValue], in place. */
export function clipGradValue_(parameters: Tensor | Iterable<Tensor>, clipValue: number): void {
  noGrad(() => {
    for (const g of gradsOf('torch.nn.utils.clipGradValue_', parameters)) g.clamp_(-clipValue, clipValue);
  });
}
