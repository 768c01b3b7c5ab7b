/** Constant padding layers: nn.ZeroPad2d, nn.ConstantPad1d, nn.ConstantPad2d (F.pad in 'constant' mode). */
import type { Tensor } from '../tensor/tensor.ts';
import { argTypeError, namedArgs } from '../args.ts';
import { pad } from './functional/pad.ts';
import { Module, engineLayers } from './module.ts';
import { pyFloat, pyTuple } from './repr.ts';

/** An int pads every side by it; a list gives (left, right[, top, bottom]). */
function sides(call: string, padding: number | readonly number[], n: number): number[] {
  if (typeof padding === 'number' && Number.isInteger(padding)) return Array<number>(n).fill(padding);
  if (Array.isArray(padding) && padding.length === n && padding.every((p) => Number.isInteger(p))) return [...padding];
  throw argTypeError(call, 'padding', 1, `an int or a list of ${n} ints`, padding);
}

class ConstantPad extends Module {
  readonly padding: number[];
  readonly value: number;
  constructor(call: string, n: number, padding: number | readonly number[], value: number) {
    super();
    this.padding = sides(call, padding, n);
    this.value = value;
  }
  override forward(input: Tensor): Tensor {
    return pad(input, this.padding, { value: this.value });
  }
  override extraRepr(): string {
    return `padding=${pyTuple(this.padding)}, value=${pyFloat(this.value)}`;
  }
}

function valueOf(call: string, args: unknown[]): { padding: number | readonly number[]; value: number } {
  const o = namedArgs<{ padding: number | readonly number[]; value: number }>(call, ['padding', 'value'], args);
  if (o.padding === undefined) throw new TypeError(`${call}() missing required argument 'padding'`);
  if (o.value === undefined) throw new TypeError(`${call}() missing required argument 'value'`);
  return { padding: o.padding, value: o.value };
}

/** Pads the last dim by (left, right) with value. */
export class ConstantPad1d extends ConstantPad {
  constructor(padding: number | readonly number[], value: number);
  constructor(options: { padding: number | readonly number[]; value: number });
  constructor(...args: unknown[]) {
    const { padding, value } = valueOf('torch.nn.ConstantPad1d', args);
    super('torch.nn.ConstantPad1d', 2, padding, value);
  }
}

/** Pads the last two dims by (left, right, top, bottom) with value. */
export class ConstantPad2d extends ConstantPad {
  constructor(padding: number | readonly number[], value: number);
  constructor(options: { padding: number | readonly number[]; value: number });
  constructor(...args: unknown[]) {
    const { padding, value } = valueOf('torch.nn.ConstantPad2d', args);
    super('torch.nn.ConstantPad2d', 4, padding, value);
  }
}

/** Pads the last two dims by (left, right, top, bottom) with zeros. */
export class ZeroPad2d extends ConstantPad {
  constructor(padding: number | readonly number[] | { padding: number | readonly number[] }) {
    const o = namedArgs<{ padding: number | readonly number[] }>('torch.nn.ZeroPad2d', ['padding'], [padding]);
    if (o.padding === undefined) throw new TypeError("torch.nn.ZeroPad2d() missing required argument 'padding'");
    super('torch.nn.ZeroPad2d', 4, o.padding, 0);
  }
  override extraRepr(): string {
    return pyTuple(this.padding);
  }
}

engineLayers(ConstantPad1d, ConstantPad2d, ZeroPad2d);
