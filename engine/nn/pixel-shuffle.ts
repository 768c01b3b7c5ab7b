/** torch.nn.PixelShuffle and torch.nn.PixelUnshuffle. */
import type { Tensor } from '../tensor/tensor.ts';
import { pixelShuffle, pixelUnshuffle } from './functional/pixel-shuffle.ts';
import { Module, engineLayers } from './module.ts';

/** [*, C·r², H, W] → [*, C, H·r, W·r]. */
export class PixelShuffle extends Module {
  constructor(readonly upscaleFactor: number) {
    super();
  }

  override forward(input: Tensor): Tensor {
    return pixelShuffle(input, this.upscaleFactor);
  }

  override extraRepr(): string {
    return `upscale_factor=${this.upscaleFactor}`;
  }
}

/** [*, C, H·r, W·r] → [*, C·r², H, W]. */
export class PixelUnshuffle extends Module {
  constructor(readonly downscaleFactor: number) {
    super();
  }

  override forward(input: Tensor): Tensor {
    return pixelUnshuffle(input, this.downscaleFactor);
  }

  override extraRepr(): string {
    return `downscale_factor=${this.downscaleFactor}`;
  }
}

engineLayers(PixelShuffle, PixelUnshuffle);
