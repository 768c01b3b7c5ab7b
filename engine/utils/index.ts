/** torch.utils: for now only torch.utils.data (datasets and the DataLoader). */
export * as data from './data/index.ts';
