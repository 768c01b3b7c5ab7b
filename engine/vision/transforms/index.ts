/** torchvision.transforms. */
export { Compose, Lambda } from './compose.ts';
export { ToTensor } from './to-tensor.ts';
export { Normalize } from './normalize.ts';
export { Resize } from './resize.ts';
export { RandomCrop, type RandomCropOptions } from './random-crop.ts';
export { RandomHorizontalFlip } from './random-horizontal-flip.ts';
export { applyTransform, type Transform, type TransformObject, type RandomOptions } from './transform.ts';
