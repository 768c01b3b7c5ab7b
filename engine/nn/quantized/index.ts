/** torch.nn.quantized (torch.ao.nn.quantized): quantized layers; `dynamic` holds the dynamically quantized ones. */
export * as dynamic from './dynamic.ts';
