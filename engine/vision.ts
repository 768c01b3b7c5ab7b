/**
 * torchvision's counterpart: `import { transforms, datasets } from '#engine/vision'`.
 * Importing the engine's entry first registers its backends, as `import torch` does before
 * `import torchvision`.
 */
import './index.ts';

export * as transforms from './vision/transforms/index.ts';
export * as datasets from './vision/datasets/index.ts';
export type { Image, ImageLike } from './vision/image.ts';
