/**
 * The int8 kernel's input side, generated as WebAssembly SIMD beside the gemm (kernel.ts) in one
 * module: qpack quantizes float32 activations and lays them out as the gemm reads A, in one pass,
 * where a JavaScript loop took about as long as the gemm itself.
 *
 * qpack(x, a, mTiles, kBlocks, ldx, inverseScale, lo, hi), all byte addresses or counts but
 * inverseScale (an f32's bits) and lo/hi (i32):
 *   x: mTiles·MR rows of float32, ldx bytes apart, each kBlocks·QPACK_K[elements] values (the host
 *      zero-pads them);
 *   a: the gemm's packed A: tile t, slot p (a k-pair for 'i16', a k-quad for 'i8'), row r is the
 *      i32 at a + 4·((t·kSlots + p)·MR + r), its low lane the least k. 'i16' writes
 *      q − z = clamp(nearbyint(f32(x·inverseScale)), lo, hi) as int16, 'i8' writes q = that − lo
 *      as bytes (lo = −z), the 7-bit operand of the 'i8' gemm once the host has seen q ≤ 127.
 * That is PyTorch's quantization, q(x) − z = clamp(round(x/s) + z, 0, 255) − z, with the zero point
 * cancelled outside the clamp (so a huge x/s, saturated to i32, cannot wrap); f32x4.nearest rounds
 * half to even as nearbyint does, and NaN becomes 0 (trunc_sat), as the JavaScript fallback's
 * integer store makes it.
 *
 * minmax(x, vectors, out) writes, at out, the lane-wise min and then max of 0 and the `vectors`
 * f32x4 at x, NaN skipped: the range the activation's scale is chosen from (which always holds 0).
 *
 * Per block of k and a tile's 4 rows: each row's block quantized and narrowed to one vector (four
 * k-pairs or k-quads as i32 lanes), then a 4×4 transpose of i32 lanes (six shuffles) gives one
 * vector per slot.
 */
import { FunctionBuilder } from './emit.ts';
import { I8_MR, I16_MR as MR } from './kernel.ts';

/** k values per step of qpack: one i16x8 ('i16'), one i8x16 ('i8'). */
export const QPACK_K = { i16: 8, i8: 16 } as const;

// prettier-ignore
export function qpackFunction(elements: 'i16' | 'i8'): FunctionBuilder {
  if (MR !== 4 || I8_MR !== 4) throw new Error('qpack transposes 4 rows at a time: MR must be 4');
  const blockK = QPACK_K[elements];
  const f = new FunctionBuilder(['x', 'a', 'mTiles', 'kBlocks', 'ldx', 'inverseScale', 'lo', 'hi']);
  for (const v of ['t', 'row', 'p0', 'p1', 'p2', 'p3', 'pa', 'kEnd']) f.local(v, 'i32');
  for (const v of ['vInv', 'vLo', 'vHi', 'r0', 'r1', 'r2', 'r3', 't0', 't1', 't2', 't3']) f.local(v, 'v128');

  f.get('inverseScale').i32x4Splat().set('vInv');
  f.get('lo').i32x4Splat().set('vLo');
  f.get('hi').i32x4Splat().set('vHi');
  f.get('a').set('pa').get('x').set('row');
  // q − z (i16) or q (i8) of the four floats at [p + offset]
  const quantize = (g: FunctionBuilder, p: string, offset: number): void => {
    g.get(p).v128Load(offset).get('vInv').f32x4Mul().f32x4Nearest().i32x4TruncSatF32x4S();
    g.get('vLo').i32x4MaxS().get('vHi').i32x4MinS();
    if (elements === 'i8') g.get('vLo').i32x4Sub();
  };
  f.loop((tiles) => {
    tiles.get('row').tee('p0').get('ldx').i32Add().tee('p1').get('ldx').i32Add().tee('p2').get('ldx').i32Add().set('p3');
    tiles.get('row').get('kBlocks').i32Const(blockK * 4).i32Mul().i32Add().set('kEnd');
    tiles.loop((k) => {
      for (let r = 0; r < 4; r++) {
        quantize(k, `p${r}`, 0);
        quantize(k, `p${r}`, 16);
        k.i16x8NarrowI32x4S();
        if (elements === 'i8') {
          quantize(k, `p${r}`, 32);
          quantize(k, `p${r}`, 48);
          k.i16x8NarrowI32x4S().i8x16NarrowI16x8U();
        }
        k.set(`r${r}`); // row r: slots 0…3 as i32 lanes
      }
      k.get('r0').get('r1').i32x4Shuffle([0, 4, 1, 5]).set('t0'); // r0p0 r1p0 r0p1 r1p1
      k.get('r2').get('r3').i32x4Shuffle([0, 4, 1, 5]).set('t1'); // r2p0 r3p0 r2p1 r3p1
      k.get('r0').get('r1').i32x4Shuffle([2, 6, 3, 7]).set('t2'); // r0p2 r1p2 r0p3 r1p3
      k.get('r2').get('r3').i32x4Shuffle([2, 6, 3, 7]).set('t3'); // r2p2 r3p2 r2p3 r3p3
      k.get('pa').get('t0').get('t1').i32x4Shuffle([0, 1, 4, 5]).v128Store(0); // slot 0 of rows 0…3
      k.get('pa').get('t0').get('t1').i32x4Shuffle([2, 3, 6, 7]).v128Store(16);
      k.get('pa').get('t2').get('t3').i32x4Shuffle([0, 1, 4, 5]).v128Store(32);
      k.get('pa').get('t2').get('t3').i32x4Shuffle([2, 3, 6, 7]).v128Store(48);
      k.addTo('pa', 64).addTo('p1', blockK * 4).addTo('p2', blockK * 4).addTo('p3', blockK * 4);
      k.addTo('p0', blockK * 4).get('p0').get('kEnd').i32Ne().brIf(0);
    });
    tiles.get('row').get('ldx').i32Const(MR).i32Mul().i32Add().set('row');
    tiles.addTo('t', 1).get('t').get('mTiles').i32Ne().brIf(0);
  });
  return f;
}

// prettier-ignore
export function minmaxFunction(): FunctionBuilder {
  const f = new FunctionBuilder(['x', 'vectors', 'out']);
  f.local('end', 'i32').local('lo', 'v128').local('hi', 'v128');
  f.get('x').get('vectors').i32Const(16).i32Mul().i32Add().set('end');
  f.loop((g) => {
    // pmin(acc, v) keeps acc where v is NaN; the accumulators start at 0 (zero-initialised locals).
    g.get('lo').get('x').v128Load(0).f32x4Pmin().set('lo');
    g.get('hi').get('x').v128Load(0).f32x4Pmax().set('hi');
    g.addTo('x', 16).get('x').get('end').i32Ne().brIf(0);
  });
  f.get('out').get('lo').v128Store(0);
  f.get('out').get('hi').v128Store(16);
  return f;
}

/**
 * dequantize(c, ldc, rows, groups, coef, y, ldy): the layer's output from the gemm's int32 sums,
 * y[r][n] = f32(s[n]·C[r][n] + b[n]) with the product and sum in float64, as the JavaScript
 * `out[i] = s[n] * acc[i] + bias[n]` into a Float32Array rounds them (the same three roundings, so
 * the same bits). C rows are ldc bytes apart, y rows ldy; each row is `groups` vectors of 4
 * columns, the last one written whole (the host leaves room past y's last row); coef holds, per
 * group, s as two f64x2 then b as two f64x2. rows and groups must be ≥ 1.
 */
// prettier-ignore
export function dequantizeFunction(): FunctionBuilder {
  const f = new FunctionBuilder(['c', 'ldc', 'rows', 'groups', 'coef', 'y', 'ldy']);
  for (const v of ['r', 'g', 'pc', 'py', 'pk']) f.local(v, 'i32');
  f.local('acc', 'v128').local('lo', 'v128');
  f.loop((rows) => {
    rows.get('c').set('pc').get('y').set('py').get('coef').set('pk').i32Const(0).set('g');
    rows.loop((g) => {
      g.get('pc').v128Load(0).set('acc');
      g.get('acc').f64x2ConvertLowI32x4S().get('pk').v128Load(0).f64x2Mul().get('pk').v128Load(32).f64x2Add();
      g.f32x4DemoteZero().set('lo');
      g.get('py').get('lo');
      g.get('acc').get('acc').i32x4Shuffle([2, 3, 2, 3]).f64x2ConvertLowI32x4S();
      g.get('pk').v128Load(16).f64x2Mul().get('pk').v128Load(48).f64x2Add().f32x4DemoteZero();
      g.i32x4Shuffle([0, 1, 4, 5]).v128Store(0);
      g.addTo('pc', 16).addTo('py', 16).addTo('pk', 64);
      g.addTo('g', 1).get('g').get('groups').i32Ne().brIf(0);
    });
    rows.get('c').get('ldc').i32Add().set('c').get('y').get('ldy').i32Add().set('y');
    rows.addTo('r', 1).get('r').get('rows').i32Ne().brIf(0);
  });
  return f;
}
