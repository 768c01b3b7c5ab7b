/** torch.nn.Upsample (F.interpolate as a layer), UpsamplingNearest2d and UpsamplingBilinear2d. */
import { namedArgs } from '../args.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { interpolate, type InterpolateMode } from './functional/interpolate.ts';
import { Module, engineLayers } from './module.ts';
import { pyFloat, pyTuple } from './repr.ts';

export interface UpsampleOptions {
  size?: number | readonly number[] | null;
  scaleFactor?: number | readonly number[] | null;
  mode?: InterpolateMode;
  alignCorners?: boolean | null;
  recomputeScaleFactor?: boolean | null;
}

export class Upsample extends Module {
  readonly size: number | readonly number[] | null;
  readonly scaleFactor: number | readonly number[] | null;
  readonly mode: InterpolateMode;
  readonly alignCorners: boolean | null;
  readonly recomputeScaleFactor: boolean | null;

  constructor(
    size?: number | readonly number[] | null,
    scaleFactor?: number | readonly number[] | null,
    mode?: InterpolateMode,
    alignCorners?: boolean | null,
    recomputeScaleFactor?: boolean | null,
  );
  constructor(options?: UpsampleOptions);
  constructor(...args: unknown[]) {
    super();
    const o = namedArgs<UpsampleOptions>(
      `torch.nn.${new.target.name}`,
      ['size', 'scaleFactor', 'mode', 'alignCorners', 'recomputeScaleFactor'],
      args,
    );
    this.size = o.size ?? null;
    this.scaleFactor = o.scaleFactor ?? null;
    this.mode = o.mode ?? 'nearest';
    this.alignCorners = o.alignCorners ?? null;
    this.recomputeScaleFactor = o.recomputeScaleFactor ?? null;
  }

  override forward(input: Tensor): Tensor {
    return interpolate(input, {
      size: this.size,
      scaleFactor: this.scaleFactor,
      mode: this.mode,
      alignCorners: this.alignCorners,
      recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }

  override extraRepr(): string {
    const show = (v: number | readonly number[], float: boolean) =>
      typeof v === 'number' ? (float ? pyFloat(v) : String(v)) : float ? `(${v.map(pyFloat).join(', ')})` : pyTuple(v);
    const what =
      this.scaleFactor !== null
        ? `scale_factor=${show(this.scaleFactor, true)}`
        : `size=${show(this.size ?? [], false)}`;
    return `${what}, mode=${this.mode}`;
  }
}

/** Upsample with mode 'nearest'. */
export class UpsamplingNearest2d extends Upsample {
  constructor(size?: number | readonly number[] | null, scaleFactor?: number | readonly number[] | null) {
    super({ size, scaleFactor, mode: 'nearest' });
  }
}

/** Upsample with mode 'bilinear' and alignCorners true. */
export class UpsamplingBilinear2d extends Upsample {
  constructor(size?: number | readonly number[] | null, scaleFactor?: number | readonly number[] | null) {
    super({ size, scaleFactor, mode: 'bilinear', alignCorners: true });
  }
}

engineLayers(Upsample);
