/**
 * The float32 matmul micro-kernel, generated as a WebAssembly SIMD module.
 *
 * gemm(a, b, c, mTiles, nTiles, K, ldc, accumulate) computes C = A·B, or C += A·B when accumulate is
 * nonzero, for operands already packed by the host into this module's memory (all other arguments
 * are byte addresses or counts):
 *
 *   A: mTiles row tiles, each MR rows × K, stored k-major: tile t's element (r, k) is the f32 at
 *      a + 4·(t·K·MR + k·MR + r). The host zero-pads the last tile's missing rows.
 *   B: nTiles column panels, each K × NR, stored k-major: panel p's element (k, j) is the f32 at
 *      b + 4·(p·K·NR + k·NR + j). Zero-padded likewise.
 *   C: row-major, ldc bytes per row, tile (t, p) at c + t·MR·ldc + p·NR·4. gemm writes every tile
 *      in full (padding included); the host calls gemmEdges (below), which writes only the real
 *      rows of the last A tile and the real vectors of the last B panel.
 *
 * For each MR×NR tile the kernel keeps C in MR·NR/4 v128 accumulators and, per k, loads the NR
 * floats of B as NR/4 vectors, splats each of A's MR values and does one multiply-add per
 * accumulator: MR + NR/4 loads per MR·NR multiply-adds.
 *
 * The multiply-add is f32x4.relaxed_madd (relaxed SIMD) where the runtime validates it: V8 emits one
 * fused vfmadd231ps on CPUs with FMA3 (a·b + c rounded once, as OpenBLAS and MKL compute it for
 * PyTorch), else a mulps and an addps. Each C element is then the float32 sum over k = 0…K-1, in
 * order, each step fround(c + a·b) with a·b exact, on every run on one machine (and the same bits
 * as f32x4.mul + f32x4.add on a CPU without FMA). Where relaxed SIMD does not validate (it ships
 * in Node 22; Node 20 has it behind --experimental-wasm-relaxed-simd, which instance.ts's
 * validatesRelaxedSimd() turns on before the first compile), the kernel uses f32x4.mul +
 * f32x4.add: the plain float32 loop's bits.
 * FMA is taken for speed: on the EPYC (Zen 1) this was measured on, 128-bit mul+add, 128-bit FMA
 * and 256-bit AVX2 FMA all peak at 16 FLOP/cycle, but mul+add is two instructions per multiply-add,
 * and the mulps/addps pair ran its 4×8 tile at ~60% of that peak (front-end bound), the FMA
 * 3×12 tile at ~78% (1.25–1.35× the kernel alone, interleaved runs). That peak (16 FLOP/cycle
 * at ~2.3–3.1 GHz: 37–50 GFLOP/s) bounds every instruction set on that core, OpenBLAS's AVX2
 * included; on Zen 2 and later AVX2's 256-bit FMA doubles it while 128-bit WebAssembly SIMD stays
 * at 16 FLOP/cycle. On a Zen 5 core a register-only loop of 12 independent relaxed_madd measured
 * 52–54 GFLOP/s (f32x4.mul + f32x4.add: 46–48), the ceiling of 128-bit code on any Node there;
 * V8's revectorizer (REVECTORIZE below) lifts it by running pairs as 256-bit FMA. Results move
 * by float32 rounding (well inside the tests' 1e-5·√K·Σ|a·b| bound); eager and torch.compile
 * still share this kernel, so they still agree bit for bit.
 *
 * Loop order: B panels outermost, then A tiles, then k, so one B panel (K·NR·4 bytes) is reused from
 * L1 by every A tile while the packed A block streams from L2 (the host keeps that block small).
 * K, mTiles and nTiles must be ≥ 1 (the loops test at the bottom); the host writes zeros itself
 * when K = 0.
 *
 * accumulate lets the host split K into blocks (so a B panel stays in L1 and an A block in L2 however
 * long K is) without changing a single bit: each tile's accumulators start from the float32 partial
 * sums the previous block stored, and the sum continues over k in the same order.
 *
 * The same loops with 'i16' elements are the int8 kernel of dynamically quantized Linear layers:
 * each 4-byte slot then holds two consecutive k (two i16, the int8 values widened), K counts those
 * pairs, and the multiply-add is i32x4.dot_i16x8_s + i32x4.add, summing exactly into int32 C.
 * One instruction does 8 multiply-adds there against 4 for float32.
 *
 * With 'i8' elements each slot holds four consecutive k: A's as bytes in [0, 127] (the quantized
 * activations themselves, zero point not subtracted), B's as int8, K counts those quads, and the
 * multiply-add is i32x4.relaxed_dot_i8x16_i7x16_add_s (B the signed operand, A the 7-bit one, where
 * relaxed SIMD defines it exactly: V8 emits vpdpbusd on AVX-VNNI CPUs, else pmaddubsw, whose
 * pairwise i16 sums cannot saturate for 7-bit A, pmaddwd and paddd). Its last argument is then
 * `init`, not `accumulate`: the byte address of nTiles·NR int32 each column's sums start from (the
 * host's −z·Σ_k W[n][k], which takes the zero point back out).
 */
import { setFlagsFromString } from 'node:v8';
import { FunctionBuilder, moduleBytes, moduleOfFunctions } from './emit.ts';
import { validatesRelaxedSimd } from './instance.ts';

/**
 * Whether V8 turns pairs of this kernel's f32x4 operations into 256-bit AVX2 ones: its Turboshaft
 * revectorizer (V8 13–14: Node 24–25) does so when --experimental-wasm-revectorize is set, which
 * is done here, before the first compile (flags are per process, so the worker threads' compiles
 * see it too). It packs two v128 values stored side by side, and everything they are computed
 * from, into one 256-bit value: here each row's pairs of accumulators, their relaxed_madd, the
 * pairs of B vectors and the splat of A (load32_splat of one address packs as a 256-bit
 * broadcast). The lanes compute what they computed before, so results keep their bits. Node 20
 * has no revectorizer. Node 22's (the Turbofan one) does not pack relaxed_madd; it packs f32x4.mul
 * and f32x4.add (a 4×16 mul+add tile measured 61 GFLOP/s there, fused 3×12 45–50), which would
 * give Node 22 the unfused loop's bits instead of the fused ones: not taken. Outside V8 13–14 the
 * flag is not set: V8 prints an error for a flag it does not know. An x64 CPU without AVX2 (before
 * 2013) is not revectorized and runs the 4×16 tile spilling (as Node 20 runs it here: ~0.6× 3×12's
 * speed); arm64 has no revectorizer, but 32 vector registers hold 4×16 (untested).
 */
export const REVECTORIZE = ((): boolean => {
  const major = Number(process.versions.v8.split('.')[0]);
  if (!(major >= 13 && major <= 14)) return false;
  setFlagsFromString('--experimental-wasm-revectorize');
  return true;
})();

/**
 * Rows and columns per float32 tile. The limit is V8's register allocation: its instruction
 * selection loads every B vector and every splat of A ahead of the multiply-adds, so a tile needs
 * MR·NR/4 accumulators + NR/4 + MR registers of the 15 xmm V8 allocates (16 less its scratch), and
 * a fused multiply-add's latency wants ≥ 8–10 independent accumulators to keep two FMA pipes busy.
 * 3×12 (9 + 3 + 3 = 15) is the largest that fits 128-bit registers. Revectorized, a row of 16
 * columns is two ymm accumulators, and 4×16 takes 8 + 2 + 1 (the splat is one broadcast register
 * at a time); without revectorization 4×16 spills (16 accumulators alone). Kernel alone on one
 * L1-resident B panel, CPU-time GFLOP/s on a Zen 5 core, Node 24: 3×12 45.6, revectorized 4×16
 * 74.3, 6×16 68.8, 5×16 66.7, 6×8 57.7; Node 20/22: 3×12 45–50, 4×16 27–30. Earlier, on a Zen 1
 * core (relative to a 4×8 mul+add): FMA 3×12 1.22–1.38, FMA 4×8 1.20–1.27, FMA 2×16 1.21, FMA 5×8
 * and 6×8 0.76–1.04 (spill), FMA 5×8 with A loaded as one vector and splatted by shuffles 1.33 (no
 * better than 3×12, and it reads past the packed A), mul+add 3×12 0.93, mul+add 4×8 unrolled ×2
 * 0.75 (V8 already unrolls the k loop ×3).
 */
export const MR = REVECTORIZE ? 4 : 3;
/** Columns per float32 tile: three or four v128 of f32. */
export const NR = REVECTORIZE ? 16 : 12;
/** The int8 (i16-pair) kernel's tile, which int8-pack.ts's qpack transposes 4 rows at a time. */
export const I16_MR = 4;
export const I16_NR = 8;
/** The int8 (byte-quad) kernel's tile: each row's 16 columns are one 256-bit pair once revectorized. */
export const I8_MR = 4;
export const I8_NR = 16;

/** What one 4-byte slot of A and one lane of B hold: a float32, two int16 or four int8 along k. */
export type GemmElements = 'f32' | 'i16' | 'i8';

/** The emitted gemm's signature, as JavaScript calls it (addresses are byte offsets into the module's memory). */
export type Gemm = (
  a: number,
  b: number,
  c: number,
  mTiles: number,
  nTiles: number,
  K: number,
  ldc: number,
  accumulate: number,
) => void;

/**
 * The module's bytes. In text form the function is, for a 4×8 tile (the int8 kernel's; float32's is 3×12):
 *
 *   do {                                  ;; each B panel (bp), moving right along C (cCol)
 *     ap = a; cp = cCol; i = 0
 *     do {                                ;; each A tile (ap), moving down C (cp)
 *       c00 … c31 = 0                     ;; 4 rows × 2 vectors of accumulators
 *       pa = ap; pb = bp; aEnd = ap + K·16
 *       do {                              ;; each k
 *         b0 = v128.load(pb); b1 = v128.load(pb + 16)
 *         s = v128.load32_splat(pa + 4r); cr0 += s·b0; cr1 += s·b1     ;; for r = 0…3
 *         pa += 16; pb += 32
 *       } while (pa != aEnd)
 *       v128.store(cp + r·ldc + 16v, crv)                               ;; for r, v
 *       ap = aEnd; cp += 4·ldc
 *     } while (++i != mTiles)
 *     cCol += 32; bp += K·32
 *   } while (bp != bEnd)
 */
export function gemmModuleBytes(elements: GemmElements = 'f32', sharedMaxPages?: number): Uint8Array {
  if (elements === 'i16') return moduleBytes('gemm', gemmFunction('i16'), 'memory');
  const bytes = (fused: boolean): Uint8Array => {
    const fns: Record<string, FunctionBuilder> = {
      gemm: gemmFunction('f32', fused),
      pack: simdPackFunction(MR),
      packB: simdPackFunction(NR),
      packEdge: packFunction(MR, true),
      packEdgeB: packFunction(NR, true),
      compact: compactFunction(),
    };
    for (let r = 1; r <= MR; r++) {
      for (let v = 1; v <= NR / 4; v++)
        if (r < MR || v < NR / 4) fns[`gemm${r}x${v}`] = gemmFunction('f32', fused, r, v);
    }
    const names = Object.keys(fns);
    fns.gemmEdges = gemmEdgesFunction((r, v) => names.indexOf(r === MR && v === NR / 4 ? 'gemm' : `gemm${r}x${v}`));
    return moduleOfFunctions(fns, 'memory', sharedMaxPages);
  };
  const fusedBytes = bytes(true);
  return validatesRelaxedSimd(fusedBytes) ? fusedBytes : bytes(false);
}

/**
 * gemmEdges(a, b, c, mTiles, nTiles, K, ldc, accumulate, rows, vecs): gemm where the last A tile has
 * `rows` real rows (1…MR) and the last B panel `vecs` real vectors of four columns (1…NR/4). The
 * full tiles go to gemm; the last row of tiles and the last panel go to the copies of the kernel
 * that compute and store only their real rows and vectors (gemm{rows}x{vecs}). So no time goes to
 * padding (on a 3×12 tile, 6% of the MLP's 64×784×128 product), and C needs no padding rows or
 * columns: rows whose width is a multiple of 4 leave the module without being closed up. Each
 * element is the same sum in the same order, so the same bits. `index(r, v)` is the module's
 * function number of the r-row, v-vector kernel.
 */
// prettier-ignore
function gemmEdgesFunction(index: (r: number, v: number) => number): FunctionBuilder {
  const NV = NR / 4;
  const f = new FunctionBuilder(['a', 'b', 'c', 'mTiles', 'nTiles', 'K', 'ldc', 'accumulate', 'rows', 'vecs']);
  f.local('mFull', 'i32').local('nFull', 'i32').local('aLast', 'i32').local('bLast', 'i32').local('cRow', 'i32');
  // mFull = mTiles − (rows ≠ MR); aLast, the last A tile, and cRow, its first row of C.
  f.get('mTiles').get('rows').i32Const(MR).i32Ne().i32Sub().set('mFull');
  f.get('nTiles').get('vecs').i32Const(NV).i32Ne().i32Sub().set('nFull');
  f.get('a').get('mFull').get('K').i32Mul().i32Const(4 * MR).i32Mul().i32Add().set('aLast');
  f.get('b').get('nFull').get('K').i32Mul().i32Const(4 * NR).i32Mul().i32Add().set('bLast');
  f.get('c').get('mFull').get('ldc').i32Mul().i32Const(MR).i32Mul().i32Add().set('cRow');
  // call(r, v, a, b, c, mTiles, nTiles): the kernel for r rows and v vectors where rows = r and vecs = v.
  const call = (r: number | 'rows', v: number | 'vecs', args: [string, string, string, string | 1, string | 1], cOffset: boolean): void => {
    const rs = r === 'rows' ? [...Array(MR - 1).keys()].map((x) => x + 1) : [r];
    const vs = v === 'vecs' ? [...Array(NV - 1).keys()].map((x) => x + 1) : [v];
    for (const ri of rs) {
      for (const vi of vs) {
        if (r === 'rows') f.get('rows').i32Const(ri).i32Ne();
        if (v === 'vecs') f.get('vecs').i32Const(vi).i32Ne();
        if (r === 'rows' && v === 'vecs') f.i32Or();
        const body = (): void => {
          const [a, b, c, m, n] = args;
          f.get(a).get(b).get(c);
          if (cOffset) f.get('nFull').i32Const(4 * NR).i32Mul().i32Add();
          for (const x of [m, n]) if (x === 1) f.i32Const(1); else f.get(x);
          f.get('K').get('ldc').get('accumulate').call(index(ri, vi));
        };
        if (r === 'rows' || v === 'vecs') f.ifElse(() => undefined, body);
        else body();
      }
    }
  };
  const when = (cond: () => void, body: () => void): void => {
    cond();
    f.ifThen(body);
  };
  when(() => f.get('mFull'), () => {
    when(() => f.get('nFull'), () => call(MR, NV, ['a', 'b', 'c', 'mFull', 'nFull'], false));
    when(() => f.get('vecs').i32Const(NV).i32Ne(), () => call(MR, 'vecs', ['a', 'bLast', 'c', 'mFull', 1], true));
  });
  when(() => f.get('rows').i32Const(MR).i32Ne(), () => {
    when(() => f.get('nFull'), () => call('rows', NV, ['aLast', 'b', 'cRow', 1, 'nFull'], false));
    when(() => f.get('vecs').i32Const(NV).i32Ne(), () => call('rows', 'vecs', ['aLast', 'bLast', 'cRow', 1, 1], true));
  });
  return f;
}

/**
 * packW(src, rs, ks, K, dst): one full tile of W rows, copied k-major as the host's pack does:
 * dst[k·W + r] = src[r·rs + k·ks] (byte addresses and strides, K ≥ 1). The 4-byte moves carry an
 * f32's bits unchanged, and run several times faster than V8's loop converting each to a double.
 * With `edge`, packW(src, rs, ks, K, dst, rows) packs the last tile, of rows < W real rows, and
 * writes zeros for the rest (their loads read row 0 again and are discarded by a select).
 */
// prettier-ignore
function packFunction(width: number, edge = false): FunctionBuilder {
  const f = new FunctionBuilder(['src', 'rs', 'ks', 'K', 'dst', ...(edge ? ['rows'] : [])]);
  for (let r = 0; r < width; r++) f.local(`s${r}`, 'i32');
  f.local('q', 'i32').local('end', 'i32');
  for (let r = 0; r < width; r++) {
    f.get('src').get('rs').i32Const(r).i32Mul();
    if (edge) f.i32Const(0).i32Const(r).get('rows').i32LtS().select();
    f.i32Add().set(`s${r}`);
  }
  f.get('dst').get('K').i32Const(4 * width).i32Mul().i32Add().set('end');
  f.loop((k) => {
    for (let r = 0; r < width; r++) {
      k.get('dst').get(`s${r}`).get('q').i32Add().i32Load();
      if (edge) k.i32Const(0).i32Const(r).get('rows').i32LtS().select();
      k.i32Store(4 * r);
    }
    k.get('q').get('ks').i32Add().set('q').addTo('dst', 4 * width);
    k.get('dst').get('end').i32Ne().brIf(0);
  });
  return f;
}

/**
 * packW for full tiles of a width that is 3 or a multiple of 4, the same copy by whole vectors where
 * one of the strides is a float (the staged layouts). With k contiguous (ks = 4 bytes), four rows ×
 * four k are loaded as four vectors and transposed by shuffles into four k-rows of the tile (three
 * rows × four k into the three vectors of a 3-wide tile's four k-rows). With the rows contiguous
 * (rs = 4), each k-row is W/4 vector moves (a 3-wide one's four k-rows, 12 floats, are shuffled
 * from four loads of 4, each reading one float past its row: the host leaves room after the
 * staged block). What is left (the last K mod 4, or any other strides) goes by 4-byte moves as in
 * packFunction.
 */
// prettier-ignore
function simdPackFunction(width: number): FunctionBuilder {
  const f = new FunctionBuilder(['src', 'rs', 'ks', 'K', 'dst']);
  for (let r = 0; r < width; r++) f.local(`s${r}`, 'i32');
  f.local('q', 'i32').local('k', 'i32');
  for (const v of ['x0', 'x1', 'x2', 'x3', 't0', 't1', 't2', 't3']) f.local(v, 'v128');
  for (let r = 0; r < width; r++) f.get('src').get('rs').i32Const(r).i32Mul().i32Add().set(`s${r}`);
  const rowBytes = 4 * width;
  type Lanes = [number, number, number, number];
  const shuffle = (x: string, y: string, lanes: Lanes, to: string): FunctionBuilder =>
    f.get(x).get(y).i32x4Shuffle(lanes).set(to);
  const store = (v: string, offset: number): FunctionBuilder => f.get('dst').get(v).v128Store(offset);
  // Four k at a time while k + 4 ≤ K.
  const byFour = (body: () => void): void => {
    f.block((b) => {
      b.get('K').i32Const(4).i32LtS().brIf(0);
      b.loop((k) => {
        body();
        k.addTo('dst', 4 * rowBytes).addTo('k', 4);
        k.get('K').get('k').i32Const(4).i32Add().i32GeU().brIf(0);
      });
    });
  };
  const rowsContiguous = (): void => {
    if (width === 3) {
      byFour(() => {
        for (let j = 0; j < 4; j++) f.get('s0').get('q').i32Add().v128Load().set(`x${j}`).get('q').get('ks').i32Add().set('q');
        shuffle('x0', 'x1', [0, 1, 2, 4], 't0');
        shuffle('x1', 'x2', [1, 2, 4, 5], 't1');
        shuffle('x2', 'x3', [2, 4, 5, 6], 't2');
        for (let j = 0; j < 3; j++) store(`t${j}`, 16 * j);
      });
      return;
    }
    f.loop((k) => {
      for (let v = 0; v < width / 4; v++) k.get('dst').get('s0').get('q').i32Add().v128Load(16 * v).v128Store(16 * v);
      k.get('q').get('ks').i32Add().set('q').addTo('dst', rowBytes).addTo('k', 1);
      k.get('k').get('K').i32Ne().brIf(0);
    });
  };
  const kContiguous = (): void => {
    byFour(() => {
      if (width === 3) {
        for (let i = 0; i < 3; i++) f.get(`s${i}`).get('q').i32Add().v128Load().set(`x${i}`);
        shuffle('x0', 'x1', [0, 4, 1, 5], 't0'); // a0 b0 a1 b1
        shuffle('x0', 'x1', [2, 6, 3, 7], 't1'); // a2 b2 a3 b3
        shuffle('t0', 'x2', [0, 1, 4, 2], 't2'); // a0 b0 c0 a1
        shuffle('t0', 'x2', [3, 5, 3, 5], 't3'); // b1 c1 · ·
        store('t2', 0);
        shuffle('t3', 't1', [0, 1, 4, 5], 't3'); // b1 c1 a2 b2
        store('t3', 16);
        shuffle('x2', 't1', [2, 6, 7, 3], 't2'); // c2 a3 b3 c3
        store('t2', 32);
      }
      for (let g = 0; g < width / 4 && width !== 3; g++) {
        for (let i = 0; i < 4; i++) f.get(`s${4 * g + i}`).get('q').i32Add().v128Load().set(`x${i}`);
        shuffle('x0', 'x1', [0, 4, 1, 5], 't0');
        shuffle('x0', 'x1', [2, 6, 3, 7], 't1');
        shuffle('x2', 'x3', [0, 4, 1, 5], 't2');
        shuffle('x2', 'x3', [2, 6, 3, 7], 't3');
        const lanes: [string, string, Lanes][] = [
          ['t0', 't2', [0, 1, 4, 5]], ['t0', 't2', [2, 3, 6, 7]], ['t1', 't3', [0, 1, 4, 5]], ['t1', 't3', [2, 3, 6, 7]],
        ];
        lanes.forEach(([x, y, l], j) => f.get('dst').get(x).get(y).i32x4Shuffle(l).v128Store(j * rowBytes + 16 * g));
      }
      f.addTo('q', 16);
    });
  };
  f.get('ks').i32Const(4).i32Ne().ifElse(
    () => f.get('rs').i32Const(4).i32Ne().ifElse(() => undefined, rowsContiguous),
    kContiguous,
  );
  // The rest, k … K − 1, by 4-byte moves.
  f.block((b) => {
    b.loop((k) => {
      k.get('k').get('K').i32GeU().brIf(1);
      for (let r = 0; r < width; r++) k.get('dst').get(`s${r}`).get('q').i32Add().i32Load().i32Store(4 * r);
      k.get('q').get('ks').i32Add().set('q').addTo('dst', rowBytes).addTo('k', 1);
      k.i32Const(1).brIf(0);
    });
  });
  return f;
}

/**
 * compact(c, ldc, cols, rows): closes up the rows of a row-major block (ldc bytes apart) to cols
 * bytes apart, in place, so C's rows padded to whole vectors leave the module in one copy.
 */
function compactFunction(): FunctionBuilder {
  const f = new FunctionBuilder(['c', 'ldc', 'cols', 'rows']);
  f.local('src', 'i32').local('dst', 'i32').local('r', 'i32');
  f.get('c').set('src').get('c').set('dst').i32Const(1).set('r');
  f.block((b) => {
    b.get('r').get('rows').i32GeU().brIf(0);
    b.loop((row) => {
      row.get('src').get('ldc').i32Add().set('src');
      row.get('dst').get('cols').i32Add().set('dst');
      row.get('dst').get('src').get('cols').memoryCopy();
      row.addTo('r', 1).get('r').get('rows').i32Ne().brIf(0);
    });
  });
  return f;
}

/** The gemm function itself, for modules that hold more functions beside it (int8-matmul.ts). */
// prettier-ignore
export function gemmFunction(elements: GemmElements, fused = false, rows?: number, vecs?: number): FunctionBuilder {
  const [mrFull, nr] = elements === 'f32' ? [MR, NR] : elements === 'i16' ? [I16_MR, I16_NR] : [I8_MR, I8_NR];
  // An edge copy computes and stores the first `rows` rows and `vecs` vectors of each tile, over
  // operands packed for the full tile (mr = rows, NV = vecs; the strides stay the full tile's).
  const mr = rows ?? mrFull;
  const NV = vecs ?? nr / 4; // v128 vectors per tile row
  const init = elements === 'i8';
  const f = new FunctionBuilder(['a', 'b', 'c', 'mTiles', 'nTiles', 'K', 'ldc', init ? 'init' : 'accumulate']);
  for (const v of ['bp', 'bEnd', 'cCol', 'ap', 'aEnd', 'cp', 'i', 'pa', 'pb', 'tileBytesA']) f.local(v, 'i32');
  const acc = (r: number, v: number): string => `c${r}${v}`;
  for (let r = 0; r < mr; r++) for (let v = 0; v < NV; v++) f.local(acc(r, v), 'v128');
  for (let v = 0; v < NV; v++) f.local(`b${v}`, 'v128');
  f.local('s', 'v128');
  for (let r = 0; r < mr; r++) f.local(`row${r}`, 'i32');

  // tileBytesA = K·mrFull·4, the size of one packed A tile; bEnd = b + nTiles·K·nr·4, just past packed B.
  f.get('K').i32Const(mrFull * 4).i32Mul().set('tileBytesA');
  f.get('b').get('nTiles').get('K').i32Mul().i32Const(nr * 4).i32Mul().i32Add().set('bEnd');
  f.get('b').set('bp');
  f.get('c').set('cCol');

  f.loop((panels) => {
    panels.get('a').set('ap').get('cCol').set('cp').i32Const(0).set('i');
    panels.loop((tiles) => {
      // Row r of the tile is at row_r = cp + r·ldc, in C's scratch. One local per row, so its
      // vectors' stores share a base address: the revectorizer pairs only stores whose addresses
      // differ by a constant.
      for (let r = 0; r < mr; r++) {
        tiles.get('cp');
        if (r > 0) tiles.get('ldc').i32Const(r).i32Mul().i32Add();
        tiles.set(`row${r}`);
      }
      const row = (r: number): void => {
        tiles.get(`row${r}`);
      };
      if (init) {
        for (let r = 0; r < mr; r++) for (let v = 0; v < NV; v++) tiles.get('init').v128Load(16 * v).set(acc(r, v));
      } else {
        tiles.get('accumulate').ifElse(
          () => {
            for (let r = 0; r < mr; r++) for (let v = 0; v < NV; v++) { row(r); tiles.v128Load(16 * v).set(acc(r, v)); }
          },
          () => {
            for (let r = 0; r < mr; r++) for (let v = 0; v < NV; v++) tiles.v128Zero().set(acc(r, v));
          },
        );
      }
      tiles.get('ap').set('pa').get('bp').set('pb');
      tiles.get('ap').get('tileBytesA').i32Add().set('aEnd');
      tiles.loop((k) => {
        // b_v = B[k][4v … 4v+3]
        for (let v = 0; v < NV; v++) k.get('pb').v128Load(16 * v).set(`b${v}`);
        for (let r = 0; r < mr; r++) {
          // s = splat(A[r][k]); c_rv += s · b_v
          k.get('pa').v128Load32Splat(4 * r).set('s');
          for (let v = 0; v < NV; v++) {
            if (fused) k.get('s').get(`b${v}`).get(acc(r, v)).f32x4RelaxedMadd();
            else if (elements === 'f32') k.get(acc(r, v)).get('s').get(`b${v}`).f32x4Mul().f32x4Add();
            else if (elements === 'i16') k.get(acc(r, v)).get('s').get(`b${v}`).i32x4DotI16x8S().i32x4Add();
            else k.get(`b${v}`).get('s').get(acc(r, v)).i32x4RelaxedDotI8x16I7x16AddS();
            k.set(acc(r, v));
          }
        }
        k.addTo('pa', mrFull * 4).addTo('pb', nr * 4);
        k.get('pa').get('aEnd').i32Ne().brIf(0);
      });
      for (let r = 0; r < mr; r++) for (let v = 0; v < NV; v++) { row(r); tiles.get(acc(r, v)).v128Store(16 * v); }
      tiles.get('aEnd').set('ap');
      tiles.get('cp').get('ldc').i32Const(mrFull).i32Mul().i32Add().set('cp');
      tiles.addTo('i', 1).get('i').get('mTiles').i32Ne().brIf(0);
    });
    panels.addTo('cCol', nr * 4);
    if (init) panels.addTo('init', nr * 4);
    panels.get('bp').get('K').i32Const(nr * 4).i32Mul().i32Add().tee('bp').get('bEnd').i32Ne().brIf(0);
  });
  return f;
}
