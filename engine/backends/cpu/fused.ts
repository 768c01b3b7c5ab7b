/**
 * torch.compile's fused elementwise kernels on the CPU: a FusedProgram as one pass over its output.
 * A program of ops with exact SIMD instructions over float32 (ReLU's backward select too) runs as one WebAssembly loop
 * (wasm/fused.ts); any other (exp, tanh, sigmoid; float64) as one generated JavaScript loop whose
 * steps are the unfused kernels' expressions, each rounded to the dtype as storing it would round
 * it, so both give the unfused ops' values bit for bit.
 */
import type { FusedProgram, View } from '../../backend/types.ts';
import { binaryExpr, reluBackwardExpr, unaryExpr } from './elementwise.ts';
import { contiguous, elementwise } from './strided.ts';
import { isSimdProgram, wasmFused } from './wasm/fused.ts';

/** Below this many elements the JavaScript loop beats the WebAssembly call and its copies. */
const SIMD_MIN_ELEMENTS = 256;

export function fused(program: FusedProgram, inputs: readonly View[], out: View): void {
  const dtype = out.buffer.dtype;
  if (dtype !== 'float32' && dtype !== 'float64') throw new TypeError(`fused kernel: unsupported dtype ${dtype}`);
  const n = out.shape.reduce((a, b) => a * b, 1);
  const simd = dtype === 'float32' && contiguous(out) && n >= SIMD_MIN_ELEMENTS && isSimdProgram(program);
  if (simd && wasmFused(program, inputs, out)) return;
  const loop = loops.get(program) ?? loopOf(program);
  elementwise(`fused:${loop.key}`, loop.result, inputs, out, dtype === 'float32' ? loop.float32 : loop.float64);
}

interface Loop {
  readonly key: string;
  readonly result: string;
  /** The steps as `const`s, each rounded to float32, or (float64) not rounded. */
  readonly float32: string;
  readonly float64: string;
}

/** By program object: a compiled graph runs the same program every step (no strings to build). */
const loops = new WeakMap<FusedProgram, Loop>();

function loopOf(program: FusedProgram): Loop {
  const name = (k: number): string => (k < program.inputs ? `v${k}` : `step${k - program.inputs}`);
  const lets = (round: (e: string) => string) =>
    program.steps
      .map((step, s) => {
        const template =
          step.kind === 'unary' ? unaryExpr[step.op] : step.kind === 'binary' ? binaryExpr[step.op] : reluBackwardExpr;
        const expr = template.replace(/\bv([01])\b/g, (_, i: string) => name(step.args[Number(i)]!));
        return `const step${s} = ${round(expr)};`;
      })
      .join(' ');
  const loop = {
    key: JSON.stringify(program),
    result: `step${program.steps.length - 1}`,
    float32: lets((e) => `Math.fround(${e})`),
    float64: lets((e) => e),
  };
  loops.set(program, loop);
  return loop;
}
