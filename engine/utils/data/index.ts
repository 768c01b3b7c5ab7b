/** torch.utils.data: datasets, samplers' seeding rules and the DataLoader. */
export { Dataset, Subset, ConcatDataset } from './dataset.ts';
export { TensorDataset } from './tensor-dataset.ts';
export { randomSplit } from './random-split.ts';
export { DataLoader, type DataLoaderOptions } from './dataloader.ts';
export { defaultCollate, CollateError, type Collated } from './collate.ts';
export type { CollateFn } from './fetch.ts';
export { getWorkerInfo, type WorkerInfo } from './worker-info.ts';
export type { WorkerSpec } from './worker-spec.ts';
