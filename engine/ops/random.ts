/**
 * Random draws into an existing tensor (x.uniform_(), x.normal_(), x.bernoulli_(), …, as
 * `layer.weight.detach().normal_(0, 0.01)` initialises a layer) and torch.normal / torch.bernoulli.
 * Each draws from PyTorch's CPU generator as PyTorch 1.13 does for that dtype (engine/tensor/random.ts),
 * on the host, in the tensor's logical element order, then writes the values in place: a leaf that
 * requires grad is refused outside noGrad, as in PyTorch, and a non-leaf passes a zero gradient back.
 */
import { freeingTemporaries } from '../autograd/function.ts';
import { isGradEnabled } from '../autograd/grad-mode.ts';
import { namedArgs, tensorArg } from '../args.ts';
import { hostArray, isFloatingPoint, scalarTypeNames, type DType, type HostArray } from '../dtype.ts';
import { emptyLike, fromHost, full, type TensorOptions } from '../tensor/create.ts';
import { defaultGenerator, type FloatKind, type Generator } from '../tensor/random.ts';
import { broadcastShapes, formatShape } from '../tensor/shape.ts';
import { Tensor } from '../tensor/tensor.ts';
import { where } from './elementwise.ts';
import * as inplace from './inplace.ts';

export interface GeneratorOptions {
  generator?: Generator;
}

/** Writes `values` (self's shape and dtype) into self in place, under PyTorch's autograd rules for an in-place draw. */
function write<T extends Tensor>(self: T, values: Tensor, name: string): T {
  return freeingTemporaries(() => {
    const recording = isGradEnabled() && self.requiresGrad;
    return inplace.apply(
      self,
      (x) => (recording ? where(full([], true, { dtype: 'bool', device: x.device }), values, x) : values),
      name,
      true,
    );
  });
}

/** Fills a host array of self's dtype and size by `fill`, then writes it into self. */
function drawInto<T extends Tensor>(self: T, name: string, fill: (host: HostArray) => void): T {
  const host = hostArray(self.dtype, self.numel());
  fill(host);
  return write(self, fromHost(host, self.shape, { dtype: self.dtype, device: self.device }), name);
}

function floatKind(self: Tensor, kernel: string): FloatKind {
  if (isFloatingPoint(self.dtype)) return self.dtype as FloatKind;
  throw new TypeError(`"${kernel}" not implemented for '${self.dtype}'`);
}

/** x.uniform_(from = 0, to = 1): `u·(to − from) + from` in the dtype's arithmetic, u with the dtype's digits. */
export function uniform_<T extends Tensor>(self: T, ...rest: unknown[]): T {
  const call = 'Tensor.uniform_';
  const {
    from = 0,
    to = 1,
    generator = defaultGenerator,
  } = namedArgs<{ from: number; to: number } & GeneratorOptions>(call, ['from', 'to'], rest, [
    'from',
    'to',
    'generator',
  ]);
  const kind = floatKind(self, 'check_uniform_bounds');
  if (!(from <= to))
    throw new RangeError(`uniform_ expects to return a [from, to) range, but found from=${from} > to=${to}`);
  const r = kind === 'float64' ? (v: number) => v : Math.fround;
  const [a, range] = [r(from), r(r(to) - r(from))];
  return drawInto(self, 'uniform_', (host) => {
    for (let i = 0; i < host.length; i++) host[i] = r(generator.uniform(kind) * range + a);
  });
}

/** x.normal_(mean = 0, std = 1): N(mean, std²), as PyTorch fills a tensor of this size. */
export function normal_<T extends Tensor>(self: T, ...rest: unknown[]): T {
  const call = 'Tensor.normal_';
  const {
    mean = 0,
    std = 1,
    generator = defaultGenerator,
  } = namedArgs<{ mean: number; std: number } & GeneratorOptions>(call, ['mean', 'std'], rest, [
    'mean',
    'std',
    'generator',
  ]);
  const kind = floatKind(self, 'normal_kernel_cpu');
  if (!(std >= 0)) throw new RangeError(`normal expects std >= 0.0, but found std ${std}`);
  return drawInto(self, 'normal_', (host) =>
    generator.fillNormal(host as Float32Array | Float64Array, kind, mean, std),
  );
}

/** The largest integer random_() draws for a dtype, plus one: PyTorch's for each (int32's as torch.int32's, as int64's overflows it). */
function fullRange(dtype: DType): number {
  switch (dtype) {
    case 'float64':
      return 2 ** 53 + 1;
    case 'float32':
      return 2 ** 24 + 1;
    case 'float16':
      return 2 ** 11 + 1;
    case 'bfloat16':
      return 2 ** 8 + 1;
    case 'int32':
      return 2 ** 31;
    case 'int8':
      return 2 ** 7;
    case 'bool':
      return 2;
  }
}

/** x.random_(), x.random_(to), x.random_(from, to): integers uniform on [from, to) (to defaults to the dtype's largest exact integer). */
export function random_<T extends Tensor>(self: T, ...rest: unknown[]): T {
  const call = 'Tensor.random_';
  const o = namedArgs<{ from: number; to: number | null } & GeneratorOptions>(call, ['from', 'to'], rest, [
    'from',
    'to',
    'generator',
  ]);
  const generator = o.generator ?? defaultGenerator;
  let { from = 0, to } = o;
  // random_(to) names the upper bound alone, as PyTorch's overload does; to = null is the dtype's largest.
  if (to === undefined && rest.length > 0 && typeof rest[0] === 'number') [from, to] = [0, from];
  const high = to ?? fullRange(self.dtype);
  if (!Number.isInteger(from) || !Number.isInteger(high))
    throw new TypeError(`random_(): 'from' and 'to' must be integers, got ${from} and ${high}`);
  if (from >= high)
    throw new RangeError(`random_ expects 'from' to be less than 'to', but got from=${from} >= to=${high}`);
  return drawInto(self, 'random_', (host) => {
    for (let i = 0; i < host.length; i++) host[i] = generator.integer(from, high);
  });
}

/** x.bernoulli_(p = 0.5): 1 with probability p (a number, or a tensor broadcast to x), else 0. */
export function bernoulli_<T extends Tensor>(self: T, ...rest: unknown[]): T {
  const call = 'Tensor.bernoulli_';
  const { p = 0.5, generator = defaultGenerator } = namedArgs<{ p: number | Tensor } & GeneratorOptions>(
    call,
    ['p'],
    rest,
    ['p', 'generator'],
  );
  if (typeof p === 'number') {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`bernoulli_ expects p to be in [0, 1], but got p=${p}`);
    return drawInto(self, 'bernoulli_', (host) => {
      for (let i = 0; i < host.length; i++) host[i] = generator.uniform53() < p ? 1 : 0;
    });
  }
  tensorArg(call, 'p', 1, p);
  return write(self, bernoulliOf(p.expand(broadcastOnto(self, p, call)), generator).to(self.dtype), 'bernoulli_');
}

/**
 * A bool tensor, true where a uniform drawn for each element is below p's element: PyTorch's
 * bernoulli with a tensor of probabilities (a 53-bit uniform for float64 p, 24 bits otherwise).
 * The uniforms are drawn on the host and compared on p's device, so p is never read back.
 */
function bernoulliOf(p: Tensor, generator: Generator): Tensor {
  const kind = floatKind(p, 'bernoulli_tensor_cpu_p_');
  const u = hostArray(kind === 'float64' ? 'float64' : 'float32', p.numel());
  for (let i = 0; i < u.length; i++) u[i] = kind === 'float64' ? generator.uniform53() : generator.uniform24();
  const uniforms = fromHost(u, p.shape, { dtype: kind === 'float64' ? 'float64' : 'float32', device: p.device });
  return uniforms.lt(kind === 'float64' ? p : p.float());
}

/** torch.bernoulli(input, p?): 0/1 of input's dtype, each 1 with probability input's element (or p, a number). */
export function bernoulli(input: Tensor, ...rest: unknown[]): Tensor {
  const call = 'torch.bernoulli';
  tensorArg(call, 'input', 1, input);
  const { p, generator = defaultGenerator } = namedArgs<{ p: number } & GeneratorOptions>(call, ['p'], rest, [
    'p',
    'generator',
  ]);
  if (p !== undefined)
    return bernoulli_(full(input.shape, 0, { dtype: input.dtype, device: input.device }), p, { generator });
  return freeingTemporaries(() => bernoulliOf(input.detach(), generator).to(input.dtype));
}

/** x.exponential_(lambd = 1): −log(1 − u)/λ with u a 53-bit uniform, rounded once to x's dtype. */
export function exponential_<T extends Tensor>(self: T, ...rest: unknown[]): T {
  const call = 'Tensor.exponential_';
  const { lambd = 1, generator = defaultGenerator } = namedArgs<{ lambd: number } & GeneratorOptions>(
    call,
    ['lambd'],
    rest,
    ['lambd', 'generator'],
  );
  floatKind(self, 'exponential_cpu');
  if (!(lambd > 0)) throw new RangeError(`exponential_ expects lambda > 0.0, but found lambda=${lambd}`);
  return drawInto(self, 'exponential_', (host) => {
    for (let i = 0; i < host.length; i++) host[i] = (-1 / lambd) * Math.log1p(-generator.uniform53());
  });
}

/** p's shape must broadcast onto self's without changing it (PyTorch's expand_inplace). */
function broadcastOnto(self: Tensor, p: Tensor, call: string): readonly number[] {
  const shape = broadcastShapes(self.shape, p.shape);
  if (shape.length !== self.ndim || shape.some((d, i) => d !== self.shape[i]))
    throw new RangeError(
      `${call}: p of shape ${formatShape(p.shape)} does not broadcast to ${formatShape(self.shape)}`,
    );
  return self.shape;
}

/**
 * torch.normal(mean, std) with either a tensor (broadcast together), or normal(mean, std, size) with
 * numbers: PyTorch's order of draws and arithmetic (standard normals, then ·std + mean; std a number:
 * N(0, std²) + mean). The result has no gradient (PyTorch's is zero).
 */
export function normal(mean: Tensor | number, std: Tensor | number = 1, ...rest: unknown[]): Tensor {
  const call = 'torch.normal';
  const isTensor = (v: unknown): v is Tensor => v instanceof Tensor;
  if (!isTensor(mean) && !isTensor(std)) {
    const o = namedArgs<{ size: readonly number[] } & GeneratorOptions & TensorOptions>(call, ['size'], rest, [
      'size',
      'generator',
      'dtype',
      'device',
      'requiresGrad',
    ]);
    if (o.size === undefined)
      throw new TypeError(`${call}(): with a number for both mean and std, give the size: torch.normal(0, 1, [2, 3])`);
    const { size, generator, ...options } = o;
    const out = full(size, 0, options);
    normal_(out, mean, std, { generator });
    return options.requiresGrad ? out.requiresGrad_() : out;
  }
  const { generator = defaultGenerator } = namedArgs<GeneratorOptions>(call, [], rest, ['generator']);
  return freeingTemporaries(() => {
    const [m, s] = [mean, std].map((v) => (isTensor(v) ? v.detach() : v)) as [Tensor | number, Tensor | number];
    const like = isTensor(m) ? m : (s as Tensor);
    const shape = isTensor(m) && isTensor(s) ? broadcastShapes(m.shape, s.shape) : like.shape;
    const out = full(shape, 0, { dtype: like.dtype, device: like.device });
    if (!isTensor(s)) return normal_(out, 0, s, { generator }).add(m);
    return normal_(out, 0, 1, { generator }).mul(s).add(m);
  });
}

/** x.fillDiagonal_(value, wrap = false): the main diagonal (all dims equal past 2-D); `wrap` restarts it below a tall matrix's square. */
export function fillDiagonal_<T extends Tensor>(self: T, fillValue: number, ...rest: unknown[]): T {
  const call = 'Tensor.fillDiagonal_';
  const { wrap = false } = namedArgs<{ wrap: boolean }>(call, ['wrap'], rest);
  if (self.ndim < 2) throw new RangeError('dimensions must larger than 1');
  if (self.ndim > 2 && self.shape.some((d) => d !== self.shape[0]))
    throw new RangeError('all dimensions of input must be of equal length');
  // Diagonal elements are every (sum of contiguous strides)-th one, up to the shortest side or, wrapped, to the end.
  const n = self.numel();
  const step = self.shape.reduce((acc, _, i) => acc + self.shape.slice(i + 1).reduce((a, b) => a * b, 1), 0);
  const last = wrap && self.ndim === 2 ? n : Math.min(...self.shape) * step;
  const mask = hostArray('bool', n);
  for (let i = 0; i < last && i < n; i += step) mask[i] = 1;
  return inplace.apply(
    self,
    (x) => x.maskedFill(fromHost(mask, self.shape, { dtype: 'bool', device: self.device }), fillValue),
    'fillDiagonal_',
  );
}

export interface MultinomialOptions extends GeneratorOptions {
  replacement?: boolean;
}

/**
 * torch.multinomial(input, num_samples, replacement=False, *, generator): indices (int32) drawn from
 * each row of non-negative weights, as PyTorch 1.13's CPU kernel draws them, so a seeded draw gives
 * PyTorch's indices. Without replacement (or one sample) it is the Gumbel trick PyTorch uses:
 * topk(p / q) with q ~ Exp(1) from `exponential_`. With replacement, one 53-bit uniform per sample,
 * placed by binary search in the row's normalised float cumulative sum (on WebGPU, whose values
 * cannot be read at once, by counting the cumulative sums below it on the device).
 */
export function multinomial(
  input: Tensor,
  numSamples: number,
  replacement?: boolean | MultinomialOptions,
  options?: MultinomialOptions,
): Tensor {
  const call = 'torch.multinomial';
  tensorArg(call, 'input', 1, input);
  const { replacement: withReplacement = false, generator = defaultGenerator } = namedArgs<MultinomialOptions>(
    call,
    ['replacement'],
    [replacement, options],
    ['replacement', 'generator'],
  );
  if (!isFloatingPoint(input.dtype))
    throw new TypeError(
      `multinomial only supports floating-point dtypes for input, got: ${scalarTypeNames[input.dtype]}`,
    );
  if (input.ndim !== 1 && input.ndim !== 2) throw new RangeError('prob_dist must be 1 or 2 dim');
  if (!Number.isInteger(numSamples)) throw new TypeError(`${call}: num_samples must be an int, got ${numSamples}`);
  if (numSamples <= 0) throw new RangeError('cannot sample n_sample <= 0 samples');
  const categories = input.shape[input.ndim - 1]!;
  if (!withReplacement && numSamples > categories)
    throw new RangeError('cannot sample n_sample > prob_dist.size(-1) samples without replacement');
  const p = input.detach();
  const backend = p.storage.backend;
  const rows = input.ndim === 2 ? input.shape[0]! : 1;
  const host = backend.readSync ? Array.from(backend.readSync(p.strided)) : null;
  if (host) {
    if (host.some((v) => !(v >= 0) || v === Infinity))
      throw new RangeError('probability tensor contains either `inf`, `nan` or element < 0');
    for (let r = 0; r < rows; r++) {
      if (host.slice(r * categories, (r + 1) * categories).every((v) => v === 0))
        throw new RangeError('invalid multinomial distribution (sum of probabilities <= 0)');
    }
  }
  if (!withReplacement || numSamples === 1) {
    const q = exponential_(emptyLike(p), { generator });
    const ratio = p.div(q);
    return numSamples === 1 ? ratio.argmax(-1, true) : ratio.topk(numSamples).indices;
  }
  const round = p.dtype === 'float64' ? (v: number) => v : Math.fround;
  const shape = input.ndim === 2 ? [rows, numSamples] : [numSamples];
  if (host) {
    const out = new Int32Array(rows * numSamples);
    const cum = new Float64Array(categories);
    for (let r = 0; r < rows; r++) {
      let sum = 0;
      for (let j = 0; j < categories; j++) cum[j] = sum = round(sum + host[r * categories + j]!);
      for (let j = 0; j < categories; j++) cum[j] = round(cum[j]! / sum);
      cum[categories - 1] = 1;
      for (let s = 0; s < numSamples; s++) {
        const u = generator.uniform53();
        let [left, right] = [0, categories];
        while (right > left) {
          const mid = left + ((right - left) >> 1);
          if (cum[mid]! < u) left = mid + 1;
          else right = mid;
        }
        out[r * numSamples + s] = left;
      }
    }
    return fromHost(out, shape, { dtype: 'int32', device: p.device });
  }
  const draws = Float64Array.from({ length: rows * numSamples }, () => generator.uniform53());
  const rowsFirst = input.ndim === 2 ? p : p.unsqueeze(0);
  const cum = rowsFirst.cumsum(1);
  const normalised = cum.div(cum.narrow(1, categories - 1, 1));
  const u = fromHost(draws, [rows, numSamples, 1], { dtype: p.dtype, device: p.device });
  const below = normalised
    .narrow(1, 0, categories - 1)
    .unsqueeze(1)
    .lt(u);
  return below.sum(2).to('int32').reshape(shape);
}
