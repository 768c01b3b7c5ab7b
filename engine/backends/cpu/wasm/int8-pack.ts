/**
 * The int8 kernel's input side, generated as WebAssembly SIMD beside the i16 gemm (kernel.ts) in
 * one module: qpack quantizes float32 activations and lays them out as the gemm reads A, in one
 * pass, where a JavaScript loop took about as long as the gemm itself.
 *
 * qpack(x, a, mTiles, kBlocks, ldx, inverseScale, lo, hi), all byte addresses or counts but
 * inverseScale (an f32's bits) and lo/hi (i32):
 *   x: mTiles·MR rows of float32, ldx bytes apart, each kBlocks·8 values (the host zero-pads them);
 *   a: written with q = clamp(nearbyint(f32(x·inverseScale)), lo, hi) as the gemm's packed A: tile
 *      t, k-pair p, row r is the i32 slot at a + 4·((t·kBlocks·4 + p)·MR + r), its low i16 the even k.
 * That is PyTorch's quantization, q(x) − z = clamp(round(x/s) + z, 0, 255) − z, with the zero point
 * cancelled outside the clamp; f32x4.nearest rounds half to even as nearbyint does, and NaN
 * becomes 0 (trunc_sat), as the JavaScript fallback's integer store makes it.
 *
 * minmax(x, vectors, out) writes, at out, the lane-wise min and then max of 0 and the `vectors`
 * f32x4 at x, NaN skipped: the range the activation's scale is chosen from (which always holds 0).
 *
 * Per block of 8 k and a tile's 4 rows: 8 loads, each row quantized and narrowed to one i16x8 (4
 * k-pairs), then a 4×4 transpose of i32 lanes (six shuffles) gives one vector per k-pair.
 */
import { FunctionBuilder } from './emit.ts';
import { I16_MR as MR } from './kernel.ts';

/** k values per step of qpack: one i16x8. */
export const K_BLOCK = 8;

// prettier-ignore
export function qpackFunction(): FunctionBuilder {
  if (MR !== 4) throw new Error('qpack transposes 4 rows at a time: MR must be 4');
  const f = new FunctionBuilder(['x', 'a', 'mTiles', 'kBlocks', 'ldx', 'inverseScale', 'lo', 'hi']);
  for (const v of ['t', 'row', 'p0', 'p1', 'p2', 'p3', 'pa', 'kEnd']) f.local(v, 'i32');
  for (const v of ['vInv', 'vLo', 'vHi', 'r0', 'r1', 'r2', 'r3', 't0', 't1', 't2', 't3']) f.local(v, 'v128');

  f.get('inverseScale').i32x4Splat().set('vInv');
  f.get('lo').i32x4Splat().set('vLo');
  f.get('hi').i32x4Splat().set('vHi');
  f.get('a').set('pa').get('x').set('row');
  // q of the four floats at [p + offset]
  const quantize = (g: FunctionBuilder, p: string, offset: number): void => {
    g.get(p).v128Load(offset).get('vInv').f32x4Mul().f32x4Nearest().i32x4TruncSatF32x4S();
    g.get('vLo').i32x4MaxS().get('vHi').i32x4MinS();
  };
  f.loop((tiles) => {
    tiles.get('row').tee('p0').get('ldx').i32Add().tee('p1').get('ldx').i32Add().tee('p2').get('ldx').i32Add().set('p3');
    tiles.get('row').get('kBlocks').i32Const(K_BLOCK * 4).i32Mul().i32Add().set('kEnd');
    tiles.loop((k) => {
      for (let r = 0; r < 4; r++) {
        quantize(k, `p${r}`, 0);
        quantize(k, `p${r}`, 16);
        k.i16x8NarrowI32x4S().set(`r${r}`); // row r: k-pairs 0…3 as i32 lanes
      }
      k.get('r0').get('r1').i32x4Shuffle([0, 4, 1, 5]).set('t0'); // r0p0 r1p0 r0p1 r1p1
      k.get('r2').get('r3').i32x4Shuffle([0, 4, 1, 5]).set('t1'); // r2p0 r3p0 r2p1 r3p1
      k.get('r0').get('r1').i32x4Shuffle([2, 6, 3, 7]).set('t2'); // r0p2 r1p2 r0p3 r1p3
      k.get('r2').get('r3').i32x4Shuffle([2, 6, 3, 7]).set('t3'); // r2p2 r3p2 r2p3 r3p3
      k.get('pa').get('t0').get('t1').i32x4Shuffle([0, 1, 4, 5]).v128Store(0); // pair 0 of rows 0…3
      k.get('pa').get('t0').get('t1').i32x4Shuffle([2, 3, 6, 7]).v128Store(16);
      k.get('pa').get('t2').get('t3').i32x4Shuffle([0, 1, 4, 5]).v128Store(32);
      k.get('pa').get('t2').get('t3').i32x4Shuffle([2, 3, 6, 7]).v128Store(48);
      k.addTo('pa', 64).addTo('p1', 32).addTo('p2', 32).addTo('p3', 32);
      k.addTo('p0', 32).get('p0').get('kEnd').i32Ne().brIf(0);
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
