/**
 * The fused Adam/AdamW step (Backend.adamStep): PyTorch's single-tensor update in one pass, as the
 * CPU backend's adamStep computes it, where the composed in-place ops take about a dozen passes and
 * temporaries per parameter. The options that change the arithmetic (weight decay and its kind,
 * amsgrad, maximize) select the WGSL, so the common case compiles with no branches.
 */
import type { AdamStepParams, View } from '../../../backend/types.ts';
import { storageType } from '../dtypes.ts';
import type { KernelCall } from '../kernel.ts';
import type { GpuBuffer } from '../buffer-pool.ts';
import { numel } from '../strided.ts';
import { IS_NAN, linearLoop, loopGrid, p, prelude } from '../codegen/wgsl.ts';

const bits = new Int32Array(1);
const asFloat = new Float32Array(bits.buffer);
/** A float hyper-parameter as the i32 the parameter block holds (bitcast back in WGSL). */
function f32Bits(value: number): number {
  asFloat[0] = value;
  return bits[0]!;
}

export function adamKernel(
  param: View,
  grad: View,
  expAvg: View,
  expAvgSq: View,
  maxExpAvgSq: View | null,
  h: AdamStepParams,
): KernelCall | null {
  const n = numel(param.shape);
  if (n === 0) return null;
  // Written first, then the gradient (read).
  const views = [param, expAvg, expAvgSq, ...(maxExpAvgSq ? [maxExpAvgSq] : []), grad];
  const buffers = views.map((v) => v.buffer as GpuBuffer);
  if (new Set(buffers).size !== buffers.length)
    throw new Error('webgpu: Adam needs the parameter, its gradient and its state in separate tensors.');
  const { lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, maximize, step } = h;
  const constants = [
    lr / (1 - beta1 ** step),
    Math.sqrt(1 - beta2 ** step),
    1 - lr * weightDecay,
    1 - beta1,
    beta2,
    1 - beta2,
    eps,
    weightDecay,
  ];
  // Parameters: numel, the views' offsets (as `views`), then the constants above as f32 bits.
  const params = [n, ...views.map((v) => v.offset), ...constants.map(f32Bits)];
  const dtype = param.buffer.dtype;
  const decay = weightDecay === 0 ? 'none' : decoupledWeightDecay ? 'decoupled' : 'l2';
  const amsgrad = maxExpAvgSq !== null;
  const key = `adam:${dtype}:${decay}:${amsgrad}:${maximize}`;
  const source = (): string => {
    const t = storageType(dtype);
    const names = ['Pm', 'M', 'V', ...(amsgrad ? ['X'] : []), 'G'];
    const bindings = names.map((name) => ({ name, type: t }));
    const at = (k: number) => `${names[k]}[${p(1 + k)} + i]`;
    const c = (k: number) => `bitcast<f32>(${p(1 + views.length + k)})`;
    // float16 rounds each value the composed ops would store, as the CPU backend does.
    const r = (x: string) => (t === 'f16' ? `f32(f16(${x}))` : x);
    const g = maximize ? `-f32(${at(views.length - 1)})` : `f32(${at(views.length - 1)})`;
    const lines = [`var gi = ${g};`, `var pi = f32(${at(0)});`];
    if (decay === 'decoupled') lines.push(`pi = ${r(`pi * ${c(2)}`)};`);
    if (decay === 'l2') lines.push(`gi = ${r(`gi + ${c(7)} * pi`)};`);
    lines.push(
      `let m0 = f32(${at(1)});`,
      `let mi = ${r(`m0 + ${c(3)} * (gi - m0)`)};`,
      `let vi = ${r(`f32(${at(2)}) * ${c(4)} + ${c(5)} * (gi * gi)`)};`,
      `${at(1)} = ${t}(mi);`,
      `${at(2)} = ${t}(vi);`,
    );
    if (amsgrad) {
      // NaN propagates, as Math.max and torch.maximum do (WGSL max may drop it).
      lines.push(
        `let x0 = f32(${at(3)});`,
        'let second = select(select(max(x0, vi), vi, is_nan(vi)), x0, is_nan(x0));',
        `${at(3)} = ${t}(second);`,
      );
    } else lines.push('let second = vi;');
    lines.push(`${at(0)} = ${t}(pi + -${c(0)} * (mi / (sqrt(second) / ${c(1)} + ${c(6)})));`);
    return `${prelude(bindings, params.length)}${amsgrad ? IS_NAN : ''}
${linearLoop(p(0), lines.map((l) => `    ${l}`).join('\n'))}`;
  };
  return {
    key,
    source,
    buffers,
    params,
    workgroups: loopGrid(n),
  };
}
