/**
 * datasets.ImageFolder: root/<class>/<image>.png, classes in sorted order (torchvision's layout
 * and order, see engine/io/image-folder.ts). Images are decoded when an item is read, so a large
 * folder costs memory only for its list of paths.
 */
import { checkKeys, keys } from '../../args.ts';
import { scanImageFolder } from '../../io/image-folder.ts';
import { readPng } from '../../io/png.ts';
import { checkIndex, Dataset } from '../../utils/data/dataset.ts';
import type { Image } from '../image.ts';
import { applyTransform, type Transform } from '../transforms/transform.ts';

export interface ImageFolderOptions<X, Y> {
  transform?: Transform<Image, X>;
  targetTransform?: Transform<number, Y>;
  /** File extensions counted as images (default ['.png']: PNG is the format the engine decodes). */
  extensions?: readonly string[];
  /** Reads one file into an image (default: readPng). */
  loader?: (path: string) => Image;
}

export class ImageFolder<X = Image, Y = number> extends Dataset<[X, Y]> {
  readonly root: string;
  readonly classes: readonly string[];
  readonly classToIdx: Readonly<Record<string, number>>;
  /** [path, classIndex] for every image, class by class. */
  readonly samples: readonly (readonly [string, number])[];
  readonly targets: readonly number[];
  private readonly options: ImageFolderOptions<X, Y>;

  constructor(root: string, options: ImageFolderOptions<X, Y> = {}) {
    super();
    checkKeys(
      'datasets.ImageFolder',
      options,
      keys<ImageFolderOptions<X, Y>>({ transform: 1, targetTransform: 1, extensions: 1, loader: 1 }),
    );
    const listing = scanImageFolder(root, options.extensions ?? ['.png']);
    this.root = root;
    this.classes = listing.classes;
    this.classToIdx = listing.classToIdx;
    this.samples = listing.samples;
    this.targets = listing.targets;
    this.options = options;
  }

  /** torchvision's older name for samples. */
  get imgs(): readonly (readonly [string, number])[] {
    return this.samples;
  }

  get length(): number {
    return this.samples.length;
  }

  getItem(index: number): [X, Y] {
    const [path, target] = this.samples[checkIndex(index, this.length, 'ImageFolder')]!;
    const image = (this.options.loader ?? readPng)(path);
    const { transform, targetTransform } = this.options;
    return [
      transform ? applyTransform(transform, image) : (image as X),
      targetTransform ? applyTransform(targetTransform, target) : (target as Y),
    ];
  }
}
