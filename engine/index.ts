/**
 * torchlings' engine: `import * as torch from '#engine'`. Names and module paths mirror PyTorch's
 * in camelCase (engine/API.md lists every name).
 */
import { registerBackend } from './backend/registry.ts';
import { cpuBackend } from './backends/cpu/index.ts';

registerBackend(cpuBackend);

export { Tensor, type TensorLike, type Scalar } from './tensor/tensor.ts';
export type { DType, Device } from './dtype.ts';
export { promoteTypes, isFloatingPoint } from './dtype.ts';
export { getDefaultDtype, setDefaultDtype } from './tensor/default-dtype.ts';
export {
  tensor,
  asTensor,
  zeros,
  ones,
  empty,
  full,
  rand,
  randn,
  randint,
  randperm,
  arange,
  linspace,
  eye,
  zerosLike,
  emptyLike,
  onesLike,
  fullLike,
  randLike,
  randnLike,
  type TensorOptions,
  type RandomOptions,
} from './tensor/create.ts';
export {
  Generator,
  manualSeed,
  initialSeed,
  defaultGenerator,
  seed,
  getRngState,
  setRngState,
  type GeneratorState,
} from './tensor/random.ts';
export { getNumThreads, setNumThreads } from './threads.ts';
export * from './functional.ts';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from './autograd/grad-mode.ts';
export * as autograd from './autograd/index.ts';
export * as memory from './memory.ts';
export * as amp from './amp/index.ts';
export * as quantization from './quantization/index.ts';
export { autocast, isAutocastEnabled, getAutocastDtype } from './amp/autocast.ts';
export * as webgpu from './webgpu.ts';
export * as cuda from './cuda.ts';
export { compile, OptimizedModule, type CompileOptions } from './compile.ts';

export const float32 = 'float32';
export const float64 = 'float64';
export const float16 = 'float16';
export const int32 = 'int32';
export const int8 = 'int8';
export const bool = 'bool';
export const float = 'float32';
export const double = 'float64';
export const half = 'float16';
export const bfloat16 = 'bfloat16';
export * as utils from './utils/index.ts';
export { save, load } from './serialization.ts';
export * as nn from './nn/index.ts';
export * as optim from './optim/index.ts';
