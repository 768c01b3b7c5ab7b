/** torchvision.transforms. */
export { Compose, Lambda } from './compose.ts';
export { ToTensor } from './to-tensor.ts';
export { Normalize } from './normalize.ts';
export { Resize } from './resize.ts';
export { RandomCrop, type RandomCropOptions } from './random-crop.ts';
export { RandomHorizontalFlip } from './random-horizontal-flip.ts';
export { Grayscale } from './grayscale.ts';
export { CenterCrop } from './center-crop.ts';
export { Pad, type PadOptions, type PaddingMode } from './pad.ts';
export { RandomRotation, type RandomRotationOptions } from './random-rotation.ts';
export { RandomAffine, type RandomAffineOptions } from './random-affine.ts';
export { ColorJitter, type ColorJitterOptions } from './color-jitter.ts';
export { RandomErasing, type RandomErasingOptions } from './random-erasing.ts';
export type { InterpolationMode } from './args.ts';
export { type Transform, type TransformObject, type RandomOptions } from './transform.ts';
