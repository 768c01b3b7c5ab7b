/** torch.nn.utils */
export { clipGradNorm_, clipGradValue_, type ClipGradNormOptions, type NormType } from './clip-grad.ts';
