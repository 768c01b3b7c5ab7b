/**
 * No raw JavaScript error reaches a learner from a public engine call. Every function and class the
 * engine exports, and every Tensor method, is called with the arguments a learner's slips produce:
 * nothing, undefined (a function that forgot to `return`), a Promise (a forgotten `await`), a string,
 * an empty object, a tensor where a list belongs, null, a number array. Each call either works or
 * throws an error saying what was wrong (engine/args.ts: tensorArg, typeName), never JavaScript's own
 * "Cannot read properties of undefined (reading 'abs')" or "x.abs is not a function".
 */
import { describe, expect, it } from 'vitest';
import * as torch from '#engine';
import { devices } from '../helpers/devices.ts';

const { nn, optim } = torch;
const F = nn.functional;

/**
 * The messages JavaScript itself gives when a value of the wrong kind reaches engine code (the lead's
 * sweep's list; "Cannot convert" only in V8's own forms, as the engine's "Cannot convert a float64
 * Tensor to webgpu" is a message of its own).
 */
const RAW =
  /Cannot read properties|is not iterable|is not a function|Cannot convert (undefined or null|a Symbol|.* to a BigInt)|undefined is not|null is not|Maximum call stack|Invalid array length|of undefined|of null/;

/** Entry points the sweep leaves out, each with the reason. */
const SKIPPED: Record<string, string> = {
  'Tensor._accumulateGrad': "backward's own (underscore): engine code calls it with a tensor, a learner never does",
};

const isClass = (f: unknown): boolean =>
  typeof f === 'function' && /^class\b/.test(Function.prototype.toString.call(f));

/** `what` → the raw message, for each call of `f` with `argSets` that throws (or rejects with) one. */
async function rawErrors(what: string, call: (args: unknown[]) => unknown, argSets: unknown[][]): Promise<string[]> {
  const found: string[] = [];
  for (const args of argSets) {
    let message: string | undefined;
    try {
      const r = call(args);
      if (r && typeof (r as Promise<unknown>).then === 'function') await r;
    } catch (e) {
      message = (e as Error)?.message ?? String(e);
    }
    if (message !== undefined && RAW.test(message)) found.push(`${what}(${args.map(label).join(', ')}) → ${message}`);
  }
  return found;
}

function label(a: unknown): string {
  if (a instanceof torch.Tensor) return 't';
  if (a instanceof Promise) return 'Promise';
  return a === undefined ? 'undefined' : JSON.stringify(a);
}

describe.each(devices)('a learner slip gets a message, never a raw JavaScript error (%s)', (device) => {
  it('torch.*, torch.nn, nn.functional, optim, lrScheduler, nn.init, nn.utils, utils.data and Tensor methods', async () => {
    const t = torch.randn([2, 3], { device });
    const pending = Promise.resolve(t);
    const argSets: unknown[][] = [
      [],
      [undefined],
      ['x'],
      [{}],
      [t],
      [t, 'x'],
      [t, {}],
      [t, null],
      [t, undefined],
      [null],
      [[1, 2]],
      [pending],
      [t, pending],
    ];
    const spaces: [string, object][] = [
      ['torch', torch],
      ['nn', nn],
      ['F', F],
      ['optim', optim],
      ['lrScheduler', optim.lrScheduler],
      ['init', nn.init],
      ['nn.utils', nn.utils],
      ['utils.data', torch.utils.data],
    ];
    const found: string[] = [];
    for (const [space, ns] of spaces) {
      for (const [name, f] of Object.entries(ns)) {
        if (typeof f !== 'function' || `${space}.${name}` in SKIPPED) continue;
        const call = isClass(f) ? (a: unknown[]) => new f(...a) : (a: unknown[]) => f(...a);
        found.push(...(await rawErrors(`${space}.${name}`, call, argSets)));
      }
    }
    for (const name of Object.getOwnPropertyNames(torch.Tensor.prototype)) {
      const method = Object.getOwnPropertyDescriptor(torch.Tensor.prototype, name)?.value;
      if (name === 'constructor' || typeof method !== 'function' || `Tensor.${name}` in SKIPPED) continue;
      const call = (a: unknown[]) => method.apply(torch.randn([2, 3], { device }), a);
      found.push(...(await rawErrors(`x.${name}`, call, argSets)));
    }
    expect(found).toEqual([]);
  });

  it('names the call, the argument, its position and what came instead, as PyTorch does', async () => {
    const t = torch.randn([2, 3], { device });
    const forgotAwait = Promise.resolve(t);
    expect(() => torch.abs(undefined as never)).toThrow(
      new TypeError("torch.abs(): argument 'input' (position 1) must be a Tensor, not undefined"),
    );
    expect(() => torch.matmul(t, forgotAwait as never)).toThrow(
      new TypeError(
        "torch.matmul(): argument 'other' (position 2) must be a Tensor, not Promise (did you forget await?)",
      ),
    );
    expect(() => t.mul(forgotAwait as never)).toThrow(
      "a tensor op's operand must be a Tensor or a number, not Promise (did you forget await?)",
    );
    expect(() => t.gather(1, undefined as never)).toThrow(
      "Tensor.gather(): argument 'index' (position 2) must be a Tensor, not undefined",
    );
    expect(() => F.mseLoss(undefined as never, t)).toThrow(
      "torch.nn.functional.mseLoss(): argument 'input' (position 1) must be a Tensor, not undefined",
    );
    expect(() => F.mseLoss(t, [1, 2, 3] as never)).toThrow(
      "torch.nn.functional.mseLoss(): argument 'target' (position 2) must be a Tensor, not array (make one with torch.tensor([...]))",
    );
    expect(() => torch.cat(t as never)).toThrow(
      "torch.cat(): argument 'tensors' (position 1) must be a list of tensors, not Tensor",
    );
    expect(() => torch.stack([t, undefined] as never)).toThrow(
      "torch.stack(): argument 'tensors' (position 1) must be a list of tensors, but element 1 is undefined",
    );
    expect(() => new optim.SGD(undefined as never)).toThrow(
      'SGD: params must be an iterable of tensors or of param groups, got undefined',
    );
    const model = new nn.Linear(2, 1);
    expect(() => new optim.Adam(model.parameters as never)).toThrow(
      'Adam: params must be an iterable of tensors or of param groups, got function parameters (did you forget to call it?)',
    );
    expect(() => new optim.lrScheduler.StepLR(undefined as never, 10)).toThrow(
      'StepLR: optimizer must be a torch.optim.Optimizer, got undefined',
    );
    expect(() => new nn.Sequential(new nn.Linear(2, 2), nn.ReLU as never)).toThrow(
      "cannot assign class ReLU (did you forget new ReLU(…)?) as child module '1' (torch.nn.Module or null expected)",
    );
    expect(() => nn.init.kaimingUniform_(undefined as never)).toThrow(
      "torch.nn.init.kaimingUniform_(): argument 'tensor' (position 1) must be a Tensor, not undefined",
    );
    expect(() => new torch.Tensor([1, 2, 3] as never, undefined as never)).toThrow(/torch\.tensor\(data\)/);
  });

  it('keeps what PyTorch accepts: scalars for tensors in ops, dim=null as every dim, Parameter(null)', async () => {
    const t = torch.tensor([1, 2, 3], { device, dtype: 'float32' });
    expect(await torch.add(t, 1).toArray()).toEqual([2, 3, 4]);
    expect(await torch.maximum(2, t).toArray()).toEqual([2, 2, 3]);
    expect(await t.mul(true).toArray()).toEqual([1, 2, 3]);
    expect(await t.sum(null as never).item()).toBe(6);
    expect(await torch.mean(t, null as never).item()).toBe(2);
    expect(new nn.Parameter(null).shape).toEqual([0]);
  });
});
