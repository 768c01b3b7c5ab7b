/**
 * torch.utils.data.TensorDataset: item i is [t0[i], t1[i], …]. Batches come from a fast path that
 * copies whole rows out of a host copy of each tensor, so a training loop over in-memory data makes
 * one tensor per batch instead of one per sample.
 */
import { fromHost } from '../../tensor/create.ts';
import { formatShape } from '../../tensor/shape.ts';
import { Tensor } from '../../tensor/tensor.ts';
import type { HostArray } from '../../dtype.ts';
import { checkIndex, Dataset } from './dataset.ts';
import type { WorkerSpec } from './worker-spec.ts';

interface HostCopy {
  /** The storage version the copy was taken at: an in-place write to the tensor invalidates it. */
  version: number;
  data: HostArray;
}

export class TensorDataset extends Dataset<Tensor[]> {
  readonly tensors: readonly Tensor[];
  private readonly hostCopies: (Promise<HostCopy> | null)[];

  constructor(...tensors: Tensor[]) {
    super();
    if (tensors.length === 0) throw new RangeError('TensorDataset: at least one tensor is required');
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new TypeError(`TensorDataset: argument ${i} is not a Tensor`);
      if (t.ndim === 0) throw new RangeError(`TensorDataset: tensor ${i} is 0-dimensional; it has no samples to index`);
      if (t.shape[0] !== tensors[0]!.shape[0]) {
        throw new RangeError(
          `Size mismatch between tensors: tensor 0 has shape ${formatShape(tensors[0]!.shape)}, tensor ${i} has ${formatShape(t.shape)} (dim 0 must agree)`,
        );
      }
    });
    this.tensors = tensors;
    this.hostCopies = tensors.map(() => null);
  }

  get length(): number {
    return this.tensors[0]!.shape[0]!;
  }

  getItem(index: number): Tensor[] {
    const i = checkIndex(index, this.length, 'TensorDataset');
    return this.tensors.map((t) => t.index(i));
  }

  override async getBatch(indices: readonly number[]): Promise<Tensor[]> {
    const rows = indices.map((i) => checkIndex(i, this.length, 'TensorDataset'));
    return Promise.all(this.tensors.map((t, k) => this.gatherRows(k, t, rows)));
  }

  override workerSpec(): WorkerSpec {
    return { module: import.meta.url, export: 'TensorDataset', args: this.tensors };
  }

  private async gatherRows(k: number, t: Tensor, rows: readonly number[]): Promise<Tensor> {
    const shape = [rows.length, ...t.shape.slice(1)];
    // On a GPU the rows are gathered where they live; only the CPU path copies through the host.
    if (t.device !== 'cpu')
      return t
        .detach()
        .indexSelect(0, fromHost(Int32Array.from(rows), [rows.length], { dtype: 'int32', device: t.device }));
    const { data } = await this.hostCopy(k, t);
    const rowSize = t.numel() / t.shape[0]!;
    const out = new (data.constructor as new (n: number) => HostArray)(rows.length * rowSize);
    rows.forEach((r, j) => out.set(data.subarray(r * rowSize, (r + 1) * rowSize), j * rowSize));
    return fromHost(out, shape, { dtype: t.dtype, device: t.device });
  }

  private hostCopy(k: number, t: Tensor): Promise<HostCopy> {
    const cached = this.hostCopies[k];
    const fresh = async (): Promise<HostCopy> => ({ version: t._version, data: await t.data() });
    // Versions are checked on the settled copy; a stale one is replaced.
    const next = (cached ?? fresh()).then((c) => (c.version === t._version ? c : fresh()));
    this.hostCopies[k] = next;
    return next;
  }
}
