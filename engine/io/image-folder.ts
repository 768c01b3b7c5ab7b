/**
 * Listing for torchvision's ImageFolder layout, root/<class>/[subdirs/]<image>, following
 * torchvision.datasets.folder (find_classes + make_dataset): classes are the sorted
 * subdirectory names; each class directory is walked recursively, following symlinks, in
 * sorted order of directory path and then file name; extensions match case-insensitively.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compareCodePoints } from './order.ts';

export interface ImageFolderListing {
  root: string;
  classes: string[];
  classToIdx: Record<string, number>;
  /** [path, classIndex] pairs, class by class. */
  samples: [string, number][];
  targets: number[];
}

function isDirectory(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** Every directory under (and including) `dir` with its sorted file names, like os.walk. */
function walk(dir: string, seen: Set<string>, out: [string, string[]][]): void {
  // Following symlinks can loop; a directory already visited through another path is skipped.
  const real = realpathSync(dir);
  if (seen.has(real)) return;
  seen.add(real);
  const files: string[] = [];
  const subdirs: string[] = [];
  for (const name of readdirSync(dir)) {
    (isDirectory(join(dir, name)) ? subdirs : files).push(name);
  }
  out.push([dir, files.sort(compareCodePoints)]);
  for (const sub of subdirs) walk(join(dir, sub), seen, out);
}

export function scanImageFolder(root: string, extensions: readonly string[] = ['.png']): ImageFolderListing {
  const stat = statSync(root, { throwIfNoEntry: false });
  if (!stat) throw new Error(`ImageFolder: root directory ${root} does not exist`);
  if (!stat.isDirectory()) throw new Error(`ImageFolder: root ${root} is not a directory`);

  const classes = readdirSync(root)
    .filter((name) => isDirectory(join(root, name)))
    .sort(compareCodePoints);
  if (classes.length === 0) throw new Error(`ImageFolder: found no class folders in ${root}`);
  const classToIdx = Object.fromEntries(classes.map((c, i) => [c, i])) as Record<string, number>;

  const exts = extensions.map((e) => e.toLowerCase());
  const samples: [string, number][] = [];
  const empty: string[] = [];
  classes.forEach((cls, index) => {
    const dirs: [string, string[]][] = [];
    walk(join(root, cls), new Set(), dirs);
    dirs.sort(([a], [b]) => compareCodePoints(a, b));
    const before = samples.length;
    for (const [dir, files] of dirs) {
      for (const f of files) {
        if (exts.some((e) => f.toLowerCase().endsWith(e))) samples.push([join(dir, f), index]);
      }
    }
    if (samples.length === before) empty.push(cls);
  });
  if (empty.length > 0) {
    throw new Error(`ImageFolder: found no ${exts.join('/')} files for the classes ${empty.join(', ')} in ${root}`);
  }
  return { root, classes, classToIdx, samples, targets: samples.map(([, t]) => t) };
}
