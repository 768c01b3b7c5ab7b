/**
 * torchvision's counterpart: `import { transforms, datasets } from '#engine/vision'`.
 * Importing the engine's entry first registers its backends, as `import torch` does before
 * `import torchvision`.
 */
import './index.ts';

export * as transforms from './vision/transforms/index.ts';
export * as datasets from './vision/datasets/index.ts';
export * as io from './vision/io.ts';
export { Image, type ImageMode } from './vision/pil.ts';
export type { ImageLike } from './vision/image.ts';
export * as utils from './vision/utils/index.ts';
