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
