import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanImageFolder } from '#engine/io/image-folder';

const base = mkdtempSync(join(tmpdir(), 'image-folder-test-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Makes a fresh tree under base from relative file paths (directories end with '/'). */
function tree(name: string, paths: string[]): string {
  const root = join(base, name);
  for (const p of paths) {
    if (p.endsWith('/')) mkdirSync(join(root, p), { recursive: true });
    else {
      mkdirSync(join(root, p, '..'), { recursive: true });
      writeFileSync(join(root, p), '');
    }
  }
  return root;
}

describe('scanImageFolder', () => {
  it('lists classes and samples in torchvision order', () => {
    const root = tree('basic', [
      'dog/b.png',
      'dog/a.PNG',
      'dog/notes.txt',
      'cat/z.png',
      'cat/sub/y.png',
      'cat/sub-2/x.png',
      'cat/sub/deeper/w.png',
      'bird/1.png',
      'README.md',
    ]);
    const listing = scanImageFolder(root);
    expect(listing.classes).toEqual(['bird', 'cat', 'dog']);
    expect(listing.classToIdx).toEqual({ bird: 0, cat: 1, dog: 2 });
    // sorted(os.walk(...)) orders by directory path string, not depth-first:
    // "cat" < "cat/sub" < "cat/sub-2" < "cat/sub/deeper" ('-' sorts before '/'); then file names.
    expect(listing.samples).toEqual([
      [join(root, 'bird', '1.png'), 0],
      [join(root, 'cat', 'z.png'), 1],
      [join(root, 'cat', 'sub', 'y.png'), 1],
      [join(root, 'cat', 'sub-2', 'x.png'), 1],
      [join(root, 'cat', 'sub', 'deeper', 'w.png'), 1],
      [join(root, 'dog', 'a.PNG'), 2],
      [join(root, 'dog', 'b.png'), 2],
    ]);
    expect(listing.targets).toEqual([0, 1, 1, 1, 1, 2, 2]);
    expect(listing.root).toBe(root);
  });

  it('sorts by code point, as Python does', () => {
    const root = tree('unicode', ['B/1.png', 'a/1.png', '\u{ff5e}/1.png', '\u{1f600}/1.png']);
    expect(scanImageFolder(root).classes).toEqual(['B', 'a', '\u{ff5e}', '\u{1f600}']);
  });

  it('honours other extensions', () => {
    const root = tree('ext', ['x/a.jpg', 'x/b.png', 'y/c.JPEG']);
    expect(scanImageFolder(root, ['.jpg', '.jpeg']).samples.map(([p]) => p)).toEqual([
      join(root, 'x', 'a.jpg'),
      join(root, 'y', 'c.JPEG'),
    ]);
  });

  it('follows symlinked directories without looping', () => {
    const root = tree('links', ['real/a.png', 'real/inner/b.png']);
    symlinkSync(join(root, 'real'), join(root, 'alias'));
    symlinkSync(join(root, 'real'), join(root, 'real', 'inner', 'loop'));
    const listing = scanImageFolder(root);
    expect(listing.classes).toEqual(['alias', 'real']);
    expect(listing.samples.filter(([, c]) => c === 0).map(([p]) => p)).toEqual([
      join(root, 'alias', 'a.png'),
      join(root, 'alias', 'inner', 'b.png'),
    ]);
  });

  it('names a missing root, a file root, and a root without class folders', () => {
    const missing = join(base, 'nope');
    expect(() => scanImageFolder(missing)).toThrow(`ImageFolder: root directory ${missing} does not exist`);
    const flat = tree('flat', ['a.png']);
    expect(() => scanImageFolder(join(flat, 'a.png'))).toThrow(
      `ImageFolder: root ${join(flat, 'a.png')} is not a directory`,
    );
    expect(() => scanImageFolder(flat)).toThrow(`ImageFolder: found no class folders in ${flat}`);
  });

  it('names the classes that have no images', () => {
    const root = tree('empty-classes', ['ok/a.png', 'none/', 'texts/a.txt']);
    expect(() => scanImageFolder(root)).toThrow(
      `ImageFolder: found no .png files for the classes none, texts in ${root}`,
    );
  });
});
