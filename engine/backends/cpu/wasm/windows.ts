/**
 * im2col and col2im (../im2col.ts) for float32 as WebAssembly loops, one image at a time. V8 runs
 * the JavaScript loops at 4–17 ns an element here (a float32→float64 conversion per load, a bounds
 * check per access); conv2d's columns are 9× its input, so for a 3×3 convolution these two loops
 * cost more than its matmuls. Here the host copies an image (or its columns) into the module's
 * memory with one memcpy each way and the module moves 4-byte words.
 *
 * Both functions walk the columns [C, kh, kw, Ho, Wo] of one image in order, with two small tables
 * the host writes for the geometry:
 *   rowTab[i·Ho + y]: the byte offset in a channel plane of input row y·sh + i·dh − pt, or −1 for a
 *                     row of windows in the padding;
 *   colTab[3j … 3j+2]: for kernel column j, the window columns [x0, x1) whose input column lies
 *                     inside the input (as byte offsets within a row of columns), and the byte
 *                     offset in an input row of window x0's column.
 * col2im adds each column element into the input plane in that order, which is the order the
 * JavaScript loop adds them in (f32.add rounds as a float64 add stored to float32 does): the
 * results are the same bits.
 */
import { FunctionBuilder, moduleOfFunctions } from './emit.ts';
import { growTo, instantiate, type WasmMemory } from './instance.ts';

type Im2col = (
  x: number,
  cols: number,
  C: number,
  plane: number,
  rowTab: number,
  colTab: number,
  ...rest: number[]
) => void;

export interface WindowsKernel {
  /** im2col(x, cols, C, plane, rowTab, colTab, kh, kw, Ho, Wo, sw, padBits): one image's columns. */
  im2col: Im2col;
  /** col2im(cols, dx, C, plane, rowTab, colTab, kh, kw, Ho, Wo, sw): adds one image's columns into dx. */
  col2im: Im2col;
  memory: WasmMemory;
}

/** block { loop { if p ≥ end break; body; p += step; continue } }: a loop that may run zero times. */
function upTo(f: FunctionBuilder, p: string, end: string, step: number, body: () => void): void {
  f.block(() =>
    f.loop(() => {
      f.get(p).get(end).i32GeU().brIf(1);
      body();
      f.addTo(p, step);
      f.i32Const(1).brIf(0);
    }),
  );
}

/** The loops over c, i, j, y shared by both functions; `row` emits the work for one row of windows. */
function windowLoops(f: FunctionBuilder, image: string, row: () => void): void {
  for (const v of ['c', 'i', 'j', 'y', 'rt', 'ct', 'r', 'row', 'dst', 'plane0', 'rowBytes']) f.local(v, 'i32');
  f.get('Wo').i32Const(4).i32Mul().set('rowBytes');
  f.get('cols').set('dst').get(image).set('plane0').i32Const(0).set('c');
  f.loop(() => {
    f.get('rowTab').set('rt').i32Const(0).set('i');
    f.loop(() => {
      f.get('colTab').set('ct').i32Const(0).set('j');
      f.loop(() => {
        f.get('rt').set('r').i32Const(0).set('y');
        f.loop(() => {
          f.get('r').i32Load().set('row');
          row();
          f.get('dst').get('rowBytes').i32Add().set('dst').addTo('r', 4);
          f.addTo('y', 1).get('y').get('Ho').i32Ne().brIf(0);
        });
        f.addTo('ct', 12).addTo('j', 1).get('j').get('kw').i32Ne().brIf(0);
      });
      f.get('rt').get('Ho').i32Const(4).i32Mul().i32Add().set('rt');
      f.addTo('i', 1).get('i').get('kh').i32Ne().brIf(0);
    });
    f.get('plane0').get('plane').i32Add().set('plane0');
    f.addTo('c', 1).get('c').get('C').i32Ne().brIf(0);
  });
}

const PARAMS = ['C', 'plane', 'rowTab', 'colTab', 'kh', 'kw', 'Ho', 'Wo', 'sw'];

function im2colFunction(): FunctionBuilder {
  const f = new FunctionBuilder(['x', 'cols', ...PARAMS, 'pad']);
  for (const v of ['p', 'e0', 'e1', 'e2', 'src']) f.local(v, 'i32');
  windowLoops(f, 'x', () => {
    // Pads before x0, input columns [x0, x1), pads after: a padding row is all pads (e0 = e1 = dst).
    f.get('dst').set('p').get('dst').get('rowBytes').i32Add().set('e2');
    f.get('row')
      .i32Const(0)
      .i32LtS()
      .ifElse(
        () => f.get('dst').set('e0').get('dst').set('e1'),
        () => {
          f.get('dst').get('ct').i32Load(0).i32Add().set('e0');
          f.get('dst').get('ct').i32Load(4).i32Add().set('e1');
          f.get('plane0').get('row').i32Add().get('ct').i32Load(8).i32Add().set('src');
        },
      );
    upTo(f, 'p', 'e0', 4, () => f.get('p').get('pad').i32Store());
    upTo(f, 'p', 'e1', 4, () => f.get('p').get('src').i32Load().i32Store().get('src').get('sw').i32Add().set('src'));
    upTo(f, 'p', 'e2', 4, () => f.get('p').get('pad').i32Store());
  });
  return f;
}

function col2imFunction(): FunctionBuilder {
  const f = new FunctionBuilder(['cols', 'dx', ...PARAMS]);
  for (const v of ['p', 'e1', 'src']) f.local(v, 'i32');
  windowLoops(f, 'dx', () => {
    f.get('row')
      .i32Const(0)
      .i32LtS()
      .ifElse(
        () => undefined,
        () => {
          f.get('dst').get('ct').i32Load(0).i32Add().set('p');
          f.get('dst').get('ct').i32Load(4).i32Add().set('e1');
          f.get('plane0').get('row').i32Add().get('ct').i32Load(8).i32Add().set('src');
          upTo(f, 'p', 'e1', 4, () => {
            f.get('src').get('src').f32Load().get('p').f32Load().f32Add().f32Store();
            f.get('src').get('sw').i32Add().set('src');
          });
        },
      );
  });
  return f;
}

let kernel: WindowsKernel | null | undefined;

/** The module, compiled on first use; null where WebAssembly is missing. */
export function windowsKernel(): WindowsKernel | null {
  if (kernel !== undefined) return kernel;
  const module = instantiate(moduleOfFunctions({ im2col: im2colFunction(), col2im: col2imFunction() }, 'memory'));
  if (module === null) return (kernel = null);
  const { exports, memory } = module;
  return (kernel = { im2col: exports.im2col as Im2col, col2im: exports.col2im as Im2col, memory });
}

/** A Float32Array over the module's memory, grown to at least `floats` (a grow detaches older views). */
export function windowsHeap(k: WindowsKernel, floats: number): Float32Array {
  growTo(k.memory, floats * 4);
  return new Float32Array(k.memory.buffer);
}
