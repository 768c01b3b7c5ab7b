/**
 * A dataset the DataLoader tests also rebuild in worker threads: a worker imports this module by
 * its WorkerSpec, so the module must do nothing but define it.
 */
import * as torch from '#engine';

/**
 * Item i is [[i, i²] as float32, i]. Item `oddOne` has a third value, so it cannot be stacked with
 * the others; reading item `failAt` throws.
 */
export class Squares extends torch.utils.data.Dataset<[torch.Tensor, number]> {
  constructor(
    readonly n: number,
    readonly oddOne = -1,
    readonly failAt = -1,
  ) {
    super();
  }
  get length(): number {
    return this.n;
  }
  async getItem(i: number): Promise<[torch.Tensor, number]> {
    if (i === this.failAt) throw new Error(`item ${i} is broken`);
    return [torch.tensor(i === this.oddOne ? [i, i * i, 0] : [i, i * i], { dtype: 'float32' }), i];
  }
  override workerSpec() {
    return { module: import.meta.url, export: 'Squares', args: [this.n, this.oddOne, this.failAt] };
  }
}

/**
 * A dataset as a learner writes one: no workerSpec(), state in ordinary fields, a transform object,
 * and randomness from the default generator. Item i is [[i + noise, i · scale], i], the noise drawn
 * with torch.rand inside getItem (after an await, as a file read would be).
 */
export class NoisyPoints extends torch.utils.data.Dataset<[torch.Tensor, number]> {
  readonly offsets: number[];
  constructor(
    readonly n: number,
    readonly transform: { call(x: torch.Tensor): torch.Tensor },
  ) {
    super();
    this.offsets = Array.from({ length: n }, (_, i) => i);
  }
  get length(): number {
    return this.n;
  }
  async getItem(i: number): Promise<[torch.Tensor, number]> {
    await new Promise((resolve) => setImmediate(resolve));
    const x = torch.tensor([this.offsets[i]!, i], { dtype: 'float32' }).add(torch.rand(2));
    return [this.transform.call(x), i];
  }
}

/** A transform class of the learner's, exported beside the dataset that uses it. */
export class Scale {
  constructor(readonly factor: number) {}
  call(x: torch.Tensor): torch.Tensor {
    return x.mul(this.factor);
  }
}

/** A dataset with a #private field, which a worker copy cannot have. */
export class Sealed extends torch.utils.data.Dataset<number> {
  #size = 2;
  get length(): number {
    return this.#size;
  }
  getItem(i: number): number {
    return i;
  }
}
