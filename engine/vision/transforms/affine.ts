/**
 * Affine warps as torchvision performs them, on both kinds of input it takes:
 *
 * - a tensor [..., C, H, W] (torchvision.transforms.functional_tensor): output pixel (i, j) is
 *   sampled at (x, y) = M · (j − (W'−1)/2, i − (H'−1)/2, 1) + ((W−1)/2, (H−1)/2), the inverse
 *   matrix M applied about the image centre, in float32 as torch's affine_grid + grid_sample
 *   (align_corners=False) compute it; nearest rounds half to even, bilinear weighs the four
 *   neighbours, and pixels from outside are `fill`, blended by how much of the sample was outside;
 * - an image (PIL's Image.transform(AFFINE), which torchvision calls for PIL images): output pixel
 *   (x, y) takes source pixel ⌊M · (x + ½, y + ½, 1)⌋, with PIL's incremental float64 stepping.
 *
 * The matrix is torchvision's _get_inverse_affine_matrix: the inverse of rotation, scale and shear
 * about `center`, then translation.
 */
import { fromHost } from '../../tensor/create.ts';
import { where } from '../../ops/elementwise.ts';
import { Tensor } from '../../tensor/tensor.ts';
import { channelsOf, type Image, type ImageLike } from '../image.ts';
import type { InterpolationMode } from './args.ts';

export type Matrix = [number, number, number, number, number, number];

const rad = (deg: number) => (deg * Math.PI) / 180;

/** torchvision's _get_inverse_affine_matrix(center, angle, translate, scale, shear), degrees in, inverted. */
export function inverseAffineMatrix(
  center: readonly [number, number],
  angle: number,
  translate: readonly [number, number],
  scale: number,
  shear: readonly [number, number],
): Matrix {
  const rot = rad(angle);
  const sx = rad(shear[0]);
  const sy = rad(shear[1]);
  const [cx, cy] = center;
  const [tx, ty] = translate;
  // Rotation · shear without scaling; its determinant is 1.
  const a = Math.cos(rot - sy) / Math.cos(sy);
  const b = (-Math.cos(rot - sy) * Math.tan(sx)) / Math.cos(sy) - Math.sin(rot);
  const c = Math.sin(rot - sy) / Math.cos(sy);
  const d = (-Math.sin(rot - sy) * Math.tan(sx)) / Math.cos(sy) + Math.cos(rot);
  const m = [d, -b, 0, -c, a, 0].map((v) => v / scale) as Matrix;
  m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
  m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
  m[2] += cx;
  m[5] += cy;
  return m;
}

const f = Math.fround;

/** Where output pixel (i, j) samples the input, in input pixel units (grid_sample's unnormalised coordinates). */
function tensorSource(
  m: Matrix,
  w: number,
  h: number,
  ow: number,
  oh: number,
): (i: number, j: number) => [number, number] {
  // affine_grid's theta / [w/2, h/2], in float32, then grid_sample's ((g + 1)·size − 1) / 2.
  const t = m.map(f);
  const r = [
    f(t[0]! / f(0.5 * w)),
    f(t[1]! / f(0.5 * w)),
    f(t[2]! / f(0.5 * w)),
    f(t[3]! / f(0.5 * h)),
    f(t[4]! / f(0.5 * h)),
    f(t[5]! / f(0.5 * h)),
  ];
  return (i, j) => {
    const bx = f(-ow * 0.5 + 0.5 + j);
    const by = f(-oh * 0.5 + 0.5 + i);
    const gx = f(f(f(bx * r[0]!) + f(by * r[1]!)) + r[2]!);
    const gy = f(f(f(bx * r[3]!) + f(by * r[4]!)) + r[5]!);
    return [f(f(f(f(gx + 1) * w) - 1) / 2), f(f(f(f(gy + 1) * h) - 1) / 2)];
  };
}

/** C's nearbyint under the default rounding mode: half to even. */
function nearbyint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Warps the last two dims of a float tensor: output [..., oh, ow]. */
export function affineTensor(
  x: Tensor,
  m: Matrix,
  interpolation: InterpolationMode,
  fill: number[],
  out: [number, number] = [x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!],
): Tensor {
  const [h, w] = x.shape.slice(-2) as [number, number];
  const [oh, ow] = out;
  const source = tensorSource(m, w, h, ow, oh);
  const corners = interpolation === 'nearest' ? 1 : 4;
  const index = Array.from({ length: corners }, () => new Int32Array(oh * ow));
  const weight = Array.from({ length: corners }, () => new Float32Array(oh * ow));
  for (let i = 0; i < oh; i++) {
    for (let j = 0; j < ow; j++) {
      const o = i * ow + j;
      const [sx, sy] = source(i, j);
      const taps: [number, number, number][] =
        interpolation === 'nearest'
          ? [[nearbyint(sy), nearbyint(sx), 1]]
          : (() => {
              const x0 = Math.floor(sx);
              const y0 = Math.floor(sy);
              const dx = f(sx - x0);
              const dy = f(sy - y0);
              return [
                [y0, x0, f(f(1 - dx) * f(1 - dy))],
                [y0, x0 + 1, f(dx * f(1 - dy))],
                [y0 + 1, x0, f(f(1 - dx) * dy)],
                [y0 + 1, x0 + 1, f(dx * dy)],
              ];
            })();
      taps.forEach(([yy, xx, wt], k) => {
        const inside = yy >= 0 && yy < h && xx >= 0 && xx < w;
        index[k]![o] = inside ? yy * w + xx : 0;
        weight[k]![o] = inside ? wt : 0;
      });
    }
  }
  const lead = x.shape.slice(0, -2);
  const flat = x.reshape([...lead, h * w]);
  const device = x.device;
  let sampled: Tensor | undefined;
  const mask = new Float32Array(oh * ow);
  for (let k = 0; k < corners; k++) {
    const tap = flat
      .indexSelect(-1, fromHost(index[k]!, [oh * ow], { dtype: 'int32', device }))
      .mul(fromHost(weight[k]!, [oh * ow], { dtype: x.dtype, device }));
    sampled = sampled ? sampled.add(tap) : tap;
    weight[k]!.forEach((v, o) => (mask[o] = f(mask[o]! + v)));
  }
  const result = sampled!.reshape([...lead, oh, ow]);
  const c = x.shape[x.ndim - 3] ?? 1;
  const fillTensor = fromHost(Float32Array.from(fill.length === 1 ? Array(c).fill(fill[0]) : fill), [c, 1, 1], {
    dtype: x.dtype,
    device,
  }).reshape(x.ndim >= 3 ? [c, 1, 1] : [1, 1]);
  if (interpolation === 'nearest') {
    // torchvision: pixels whose sample fell outside (mask < 0.5) take the fill.
    const outside = fromHost(
      Uint8Array.from(mask, (v) => (v < 0.5 ? 1 : 0)),
      [oh, ow],
      { dtype: 'bool', device },
    );
    return where(outside, fillTensor, result);
  }
  const maskTensor = fromHost(mask, [oh, ow], { dtype: x.dtype, device });
  return result.mul(maskTensor).add(maskTensor.neg().add(1).mul(fillTensor));
}

/** PIL's Image.transform(size, AFFINE, m, NEAREST, fillcolor=fill). */
export function affineImage(
  image: ImageLike,
  m: Matrix,
  fill: number[],
  out: [number, number] = [image.height, image.width],
): Image {
  const c = channelsOf(image, 'affine');
  const [oh, ow] = out;
  const data = new Uint8Array(oh * ow * c);
  // PIL's COORD(v): −1 below 0, else truncation; the steps accumulate in float64 as Geometry.c does.
  const coord = (v: number) => (v < 0 ? -1 : Math.trunc(v));
  let xo = m[2] + m[1] * 0.5 + m[0] * 0.5;
  let yo = m[5] + m[4] * 0.5 + m[3] * 0.5;
  for (let y = 0; y < oh; y++) {
    let xx = xo;
    let yy = yo;
    for (let x = 0; x < ow; x++) {
      const xin = coord(xx);
      const yin = coord(yy);
      const o = (y * ow + x) * c;
      if (xin >= 0 && xin < image.width && yin >= 0 && yin < image.height) {
        const s = (yin * image.width + xin) * c;
        for (let k = 0; k < c; k++) data[o + k] = image.data[s + k]!;
      } else {
        for (let k = 0; k < c; k++) data[o + k] = fill[k]!;
      }
      xx += m[0];
      yy += m[3];
    }
    xo += m[1];
    yo += m[4];
  }
  return { width: ow, height: oh, channels: c as Image['channels'], data };
}
