// 05 · 나만의 Dataset: a folder of PNG digits read lazily, solved. Guide §6.4 (custom Dataset), §6.2 (transforms).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as torch from '#engine';
import { Image, type transforms } from '#engine/vision';

/** What DigitFolder applies to each image: a gray image in, a tensor out. */
export type Transform = transforms.Transform<Image, torch.Tensor>;

/** Hidden entries (`.DS_Store`, macOS's `._name.png`, `.cache/`) are no data, whatever their extension. */
const isHidden = (name: string): boolean => name.startsWith('.');

/**
 * An 8-bit image as a [C, H, W] float32 tensor in [0, 1]: what transforms.ToTensor does.
 * PyTorch: `transforms.ToTensor()(img)`.
 */
export function toTensor(image: Image): torch.Tensor {
  const { width, height, channels, data } = image;
  const plane = width * height;
  const out = new Float32Array(channels * plane);
  // The bytes are interleaved (HWC: pixel by pixel, its channels together); PyTorch wants channels
  // first (CHW: one whole plane per channel). /255 maps 0…255 to [0, 1].
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < channels; c++) out[c * plane + p] = data[p * channels + c]! / 255;
  }
  return torch.tensor(out, { shape: [channels, height, width] });
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
    // Sorted, because readdir's order is the file system's (it differs between machines): the class
    // indices, and so the labels, must not.
    this.classes = readdirSync(root)
      .filter((name) => !isHidden(name) && statSync(join(root, name)).isDirectory())
      .sort();
    this.classToIdx = Object.fromEntries(this.classes.map((name, i) => [name, i]));
    // Only the list of files is made here; images are read in getItem (lazily), so a folder of a
    // million images costs a million paths, not a million decoded images.
    this.samples = this.classes.flatMap((name) =>
      readdirSync(join(this.root, name))
        .filter((file) => !isHidden(file) && file.toLowerCase().endsWith('.png'))
        .sort()
        .map((file): [string, number] => [join(this.root, name, file), this.classToIdx[name]!]),
    );
  }

  /** Python's `len(dataset)`. */
  get length(): number {
    return this.samples.length;
  }

  /** Python's `dataset[index]`: [transform(image), class index], the image read as one gray channel. */
  getItem(index: number): [torch.Tensor, number] {
    // Python's rules: −1 is the last item; anything outside [−length, length) is an error.
    if (!Number.isInteger(index) || index < -this.length || index >= this.length) {
      throw new RangeError(`index ${index} is out of range for a dataset of length ${this.length}`);
    }
    const [path, label] = this.samples[index < 0 ? index + this.length : index]!;
    // PIL: Image.open(path).convert('L'): one channel even for an RGB file.
    const image = Image.convert(Image.open(path), 'L');
    // A transform is a function or an object with call(), as torchvision's are callable objects.
    const x = typeof this.transform === 'function' ? this.transform(image) : this.transform.call(image);
    return [x, label];
  }
}
