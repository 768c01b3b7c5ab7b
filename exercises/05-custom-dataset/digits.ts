// 05 · 나만의 Dataset — README.md 를 먼저 읽으세요. Read README.md first.
import * as torch from '#engine';
import type { Image, transforms } from '#engine/vision';
import { todo } from '#kit/todo';

/** What DigitFolder applies to each image: a gray image in, a tensor out. */
export type Transform = transforms.Transform<Image, torch.Tensor>;

/**
 * An 8-bit image as a [C, H, W] float32 tensor in [0, 1]: what transforms.ToTensor does.
 * PyTorch: `transforms.ToTensor()(img)`.
 */
export function toTensor(image: Image): torch.Tensor {
  return todo('toTensor', image);
}

/**
 * A folder of digit images, `root/<class>/<file>.png`, as torchvision's ImageFolder lays it out.
 * PyTorch: `class DigitFolder(Dataset)` with `__init__`, `__len__` and `__getitem__`.
 */
export class DigitFolder extends torch.utils.data.Dataset<[torch.Tensor, number]> {
  /** Class names: the sub-folders of root, sorted. */
  readonly classes: string[];
  /** Class name → index, in the sorted order: '0' → 0, …, '9' → 9. */
  readonly classToIdx: Record<string, number>;
  /** [path, class index] for every PNG file, class by class, files sorted by name. */
  readonly samples: [string, number][];

  constructor(
    readonly root: string,
    readonly transform: Transform = toTensor,
  ) {
    super();
    todo('DigitFolder constructor', root, transform);
  }

  /** Python's `len(dataset)`. */
  get length(): number {
    return todo('DigitFolder.length');
  }

  /** Python's `dataset[index]`: [transform(image), class index], the image read as one gray channel. */
  getItem(index: number): [torch.Tensor, number] {
    return todo('DigitFolder.getItem', index);
  }
}
