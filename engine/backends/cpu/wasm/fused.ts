/**
 * A torch.compile fusion group (FusedProgram) as one WebAssembly SIMD loop, four float32 lanes a
 * step: each input is loaded once, every step's value stays in a v128 local, and only the last is
 * stored, where the unfused ops make one pass and one temporary per op.
 *
 * Only ops whose f32x4 instruction gives the JavaScript kernel's bits take this path (see
 * wasm/elementwise.ts: +, −, ×, ÷ and √ are correctly rounded; ReLU keeps NaN and maps −0 to +0;
 * ReLU's backward is a bitwise select),
 * so the fused result equals the unfused one exactly. Anything else (exp, tanh, sigmoid: no wasm
 * instruction) runs as one generated JavaScript loop instead (cpu/fused.ts).
 */
import type { FusedProgram, View } from '../../../backend/types.ts';
import { FunctionBuilder, moduleBytes } from './emit.ts';
import { CHUNK, isSimdBinary, isSimdUnary, streamChunks } from './elementwise.ts';
import { instantiate, type WasmMemory } from './instance.ts';

/** Whether every step of the program has an exact SIMD instruction. */
export function isSimdProgram(program: FusedProgram): boolean {
  return program.steps.every((s) =>
    s.kind === 'unary' ? isSimdUnary(s.op) : s.kind === 'binary' ? isSimdBinary(s.op) : true,
  );
}

/** run(end): slot `inputs` = program(slots 0 … inputs − 1), 16 bytes a step, for bytes below end. */
function moduleFor(program: FusedProgram): Uint8Array {
  const f = new FunctionBuilder(['end']);
  f.local('p', 'i32');
  const value = (k: number): string => `v${k}`;
  for (let k = 0; k < program.inputs + program.steps.length; k++) f.local(value(k), 'v128');
  f.loop((body) => {
    for (let i = 0; i < program.inputs; i++)
      body
        .get('p')
        .v128Load(i * CHUNK * 4)
        .set(value(i));
    program.steps.forEach((step, s) => {
      const [a, b] = step.args.map(value);
      if (step.kind === 'binary') {
        if (!isSimdBinary(step.op)) throw new Error(`wasm fused: no SIMD kernel for ${step.op}`);
        body.get(a!).get(b!).simdOp(step.op);
      } else if (step.kind === 'reluBackward') {
        // g & (y > 0): the gradient where ReLU's output is positive, +0 elsewhere (NaN y included).
        body.get(a!).get(b!).v128Zero().f32x4Gt().v128And();
      } else if (step.op === 'relu') {
        // x & (x > 0 | x ≠ x): keeps positives and NaN, zero otherwise (−0 included).
        body.get(a!).get(a!).v128Zero().f32x4Gt().get(a!).get(a!).f32x4Ne().v128Or().v128And();
      } else {
        if (!isSimdUnary(step.op)) throw new Error(`wasm fused: no SIMD kernel for ${step.op}`);
        body.get(a!).simdOp(step.op);
      }
      body.set(value(program.inputs + s));
    });
    body
      .get('p')
      .get(value(program.inputs + program.steps.length - 1))
      .v128Store(program.inputs * CHUNK * 4);
    body.addTo('p', 16);
    body.get('p').get('end').i32Ne().brIf(0);
  });
  return moduleBytes('run', f, 'memory');
}

interface Kernel {
  run: (end: number) => void;
  memory: WasmMemory;
}

const kernels = new Map<string, Kernel | null>();
/** By program object too: a compiled graph runs the same program every step (no key to build). */
const byProgram = new WeakMap<FusedProgram, Kernel | null>();

function load(program: FusedProgram): Kernel | null {
  const known = byProgram.get(program);
  if (known !== undefined) return known;
  const key = JSON.stringify(program);
  let kernel = kernels.get(key);
  if (kernel === undefined) {
    const module = instantiate(moduleFor(program));
    kernel = module && { run: module.exports.run as Kernel['run'], memory: module.memory };
    kernels.set(key, kernel);
  }
  byProgram.set(program, kernel);
  return kernel;
}

/**
 * out = program(inputs) for a SIMD program over float32 views broadcast to a contiguous float32
 * out. False (nothing done) where WebAssembly SIMD is unavailable or the layout does not stream.
 */
export function wasmFused(program: FusedProgram, inputs: readonly View[], out: View): boolean {
  const k = load(program);
  if (k === null) return false;
  return streamChunks(k.memory, inputs, out, program.inputs, (bytes) => k.run(bytes));
}
