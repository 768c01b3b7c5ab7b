/** torch.quantization (torch.ao.quantization): dynamic int8 quantization of Linear layers. */
export {
  quantizeDynamic,
  defaultDynamicQconfig,
  perChannelDynamicQconfig,
  type QConfig,
  type QConfigSpec,
  type QuantizeDynamicOptions,
} from './quantize.ts';
