/**
 * torch.quantization.quantize_dynamic (torch.ao.quantization): every nn.Linear of a copy of the
 * model (or of the model itself with inplace) becomes a dynamically quantized Linear with int8
 * weights. The result is a CPU model, as PyTorch's quantized kernels are CPU kernels: a model on
 * webgpu is read back (hence the await) and its other layers moved to the cpu too.
 */
import { Module } from '../nn/module.ts';
import { Linear } from '../nn/linear.ts';
import { keys, namedArgs } from '../args.ts';
import { Parameter } from '../nn/parameter.ts';
import { Linear as DynamicQuantizedLinear, type QScheme } from '../nn/quantized/dynamic.ts';

/** The part of a QConfig that dynamic quantization reads: how the weight is quantized. */
export interface QConfig {
  readonly weight: { readonly dtype: 'qint8'; readonly qscheme: QScheme };
}

/** torch.ao.quantization.default_dynamic_qconfig: int8 weights, one scale per tensor. */
export const defaultDynamicQconfig: QConfig = { weight: { dtype: 'qint8', qscheme: 'perTensorSymmetric' } };
/** torch.ao.quantization.per_channel_dynamic_qconfig: one scale per output feature. */
export const perChannelDynamicQconfig: QConfig = { weight: { dtype: 'qint8', qscheme: 'perChannelSymmetric' } };

type ModuleClass = abstract new (...args: never[]) => Module;
/** A set of layer classes (each gets the default qconfig), or a map from class to qconfig. */
export type QConfigSpec = Iterable<ModuleClass> | Map<ModuleClass, QConfig>;

export interface QuantizeDynamicOptions {
  qconfigSpec?: QConfigSpec;
  dtype?: 'qint8';
  inplace?: boolean;
}

function specMap(spec: QConfigSpec): Map<ModuleClass, QConfig> {
  const map = spec instanceof Map ? spec : new Map([...spec].map((c) => [c, defaultDynamicQconfig] as const));
  for (const [cls, qconfig] of map) {
    if (cls !== Linear) {
      throw new TypeError(
        `quantizeDynamic quantizes nn.Linear layers only (as torch.qint8 dynamic quantization here), got ${cls?.name ?? String(cls)}`,
      );
    }
    if (qconfig?.weight?.dtype !== 'qint8') {
      throw new TypeError(
        `quantizeDynamic: a qconfig's weight must be { dtype: 'qint8', qscheme }, got ${JSON.stringify(qconfig)}`,
      );
    }
  }
  return map;
}

/** Moves a model's parameters and buffers to the cpu, reading them from another device. */
async function toCpu(model: Module): Promise<void> {
  for (const m of model.modules()) {
    for (const [, p] of m.namedParameters({ recurse: false })) {
      if (p.device !== 'cpu') (p as Parameter)._setData(await p.detach().toAsync('cpu'));
    }
    const fields = m as unknown as Record<string, unknown>;
    for (const [name, b] of m.namedBuffers({ recurse: false })) {
      if (b.device !== 'cpu') fields[name] = await b.toAsync('cpu');
    }
  }
}

/**
 * quantize_dynamic(model, qconfig_spec={nn.Linear}, dtype=torch.qint8, inplace=False) →
 * `await quantizeDynamic(model, [nn.Linear], 'qint8', { inplace })` (or one options object).
 */
export async function quantizeDynamic<M extends Module>(model: M, ...rest: unknown[]): Promise<M> {
  if (!(model instanceof Module)) throw new TypeError(`quantizeDynamic expects an nn.Module, got ${typeof model}`);
  const o = namedArgs<QuantizeDynamicOptions>(
    'torch.quantization.quantizeDynamic',
    ['qconfigSpec', 'dtype'],
    rest,
    keys<QuantizeDynamicOptions>({ qconfigSpec: 1, dtype: 1, inplace: 1 }),
  );
  const dtype = o.dtype ?? 'qint8';
  if (dtype !== 'qint8') {
    throw new TypeError(`quantizeDynamic supports dtype 'qint8' (torch.qint8), got ${String(dtype)}`);
  }
  const spec = specMap(o.qconfigSpec ?? [Linear]);
  const target = o.inplace ? model : model._deepCopy();
  const swap = async (parent: Module): Promise<void> => {
    for (const [name, child] of parent.namedChildren()) {
      const qconfig = spec.get(child.constructor as ModuleClass);
      if (qconfig && child instanceof Linear) {
        parent.registerModule(
          name,
          await DynamicQuantizedLinear.fromFloat(child.weight, child.bias, qconfig.weight.qscheme),
        );
      } else {
        await swap(child);
      }
    }
  };
  if (spec.has(target.constructor as ModuleClass) && target instanceof Linear) {
    throw new TypeError('quantizeDynamic: pass a model that contains the Linear layers, not a Linear itself');
  }
  await swap(target);
  await toCpu(target);
  return target;
}
