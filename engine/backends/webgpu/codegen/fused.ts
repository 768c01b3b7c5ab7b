/**
 * torch.compile's fused elementwise kernels on WebGPU: a FusedProgram as one generated WGSL kernel,
 * each step a `let` computed with the unfused op's own WGSL expression (elementwise.ts), so a chain
 * of n ops is one dispatch instead of n, with no intermediate buffers.
 */
import type { FusedProgram, View } from '../../../backend/types.ts';
import type { KernelCall } from '../kernel.ts';
import { binaryRule, elementwise, unaryRule, type OpRule } from './elementwise.ts';

/** ReLU's backward of the gradient g and ReLU's output y: where(y > 0, g, 0), as eager's select. */
const RELU_BACKWARD: OpRule = { operand: 'f32', result: 'f32', expr: ([g, y]) => `select(0.0, ${g}, ${y} > 0.0)` };

export function fusedKernel(program: FusedProgram, inputs: readonly View[], out: View): KernelCall | null {
  if (out.buffer.dtype !== 'float32') throw new TypeError(`webgpu fused kernel: unsupported dtype ${out.buffer.dtype}`);
  const rules = program.steps.map((s) =>
    s.kind === 'unary' ? unaryRule(s.op, 'f32') : s.kind === 'binary' ? binaryRule(s.op, 'f32', 'f32') : RELU_BACKWARD,
  );
  const helpers = [...new Set(rules.flatMap((r) => (r.helpers ? [r.helpers] : [])))].join('\n');
  const last = `step${program.steps.length - 1}`;
  const rule: OpRule = {
    operand: 'f32',
    result: 'f32',
    expr: () => last,
    ...(helpers ? { helpers } : {}),
    lets: (args) => {
      const value = (k: number): string => (k < program.inputs ? args[k]! : `step${k - program.inputs}`);
      return program.steps.map((s, k) => `let step${k} = ${rules[k]!.expr(s.args.map(value))};`).join('\n  ');
    },
  };
  return elementwise(`fused${JSON.stringify(program)}`, rule, inputs, out);
}
