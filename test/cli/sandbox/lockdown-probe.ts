/**
 * Bundled as the grading child's code is, and run by lockdown.test.ts in `node --allow-natives-syntax`:
 * after lockdown(), V8's own account of the prototypes that element accesses and species lookups go
 * through. stdout: V8's %DebugPrint of each object, in order (it writes through C's stdout, so the
 * parent reads the element kinds from there); stderr: one line `probe {json}` naming them, and
 * whether each species-watched prototype's `constructor` is still a data property.
 */
import * as torch from '#engine';
import * as vision from '#engine/vision';
import { lockdown } from '../../../graders/cli/sandbox/lockdown.ts';

lockdown([torch, vision]);

// V8's runtime functions are a syntax error without --allow-natives-syntax: built at run time.
const debugPrint = new Function('o', '%DebugPrint(o)') as (o: object) => void;

const TypedArray = Object.getPrototypeOf(Int8Array) as { prototype: object };
const typedArrays = [
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
];
/** Prototypes whose `constructor` V8's species lookups read (lockdown.ts, SPECIES_WATCHED). */
const speciesWatched: [string, object][] = [
  ['Array.prototype', Array.prototype],
  ['Promise.prototype', Promise.prototype],
  ['RegExp.prototype', RegExp.prototype],
  ['ArrayBuffer.prototype', ArrayBuffer.prototype],
  ['%TypedArray%.prototype', TypedArray.prototype],
  ...typedArrays.map((t): [string, object] => [`${t.name}.prototype`, t.prototype]),
];
const objects: [string, object][] = [
  // Controls, made now: the parent checks that V8 names their kinds as it expects.
  ['control: Object.freeze', Object.freeze({ a: 1 })],
  ['control: Object.preventExtensions', Object.preventExtensions({ a: 1 })],
  ['Object.prototype', Object.prototype],
  ['Function.prototype', Function.prototype],
  ...speciesWatched,
  ['torch.Tensor.prototype', torch.Tensor.prototype],
  ['torch.nn.Module.prototype', torch.nn.Module.prototype],
];
for (const [, o] of objects) debugPrint(o);
const constructorIsData = Object.fromEntries(
  speciesWatched.map(([name, o]) => [name, 'value' in Object.getOwnPropertyDescriptor(o, 'constructor')!]),
);
process.stderr.write(`probe ${JSON.stringify({ names: objects.map(([n]) => n), constructorIsData })}\n`);
