/**
 * torch.compile. PyTorch's compiler traces a model into a graph and generates fused kernels for it.
 * The kit runs the model op by op, as in eager mode: what it gives is PyTorch's wrapper and its
 * contract (the same parameters, outputs and gradients as the model itself), so that code written
 * for PyTorch 2 runs unchanged. The options are checked as PyTorch checks them; none changes the result.
 */
import { keys, optionsOf } from './args.ts';
import { Module } from './nn/module.ts';

export interface CompileOptions {
  fullgraph?: boolean;
  dynamic?: boolean | null;
  backend?: string;
  mode?: 'default' | 'reduce-overhead' | 'max-autotune' | 'max-autotune-no-cudagraphs' | null;
  options?: Record<string, unknown> | null;
  disable?: boolean;
}

const COMPILE_OPTIONS = keys<CompileOptions>({
  fullgraph: 1,
  dynamic: 1,
  backend: 1,
  mode: 1,
  options: 1,
  disable: 1,
});
const MODES = ['default', 'reduce-overhead', 'max-autotune', 'max-autotune-no-cudagraphs'];

/** What torch.compile(module) returns: the module itself is `_origMod` (PyTorch's `_orig_mod`). */
export class OptimizedModule<M extends Module = Module> extends Module {
  readonly _origMod: M;

  constructor(module: M) {
    super();
    this._origMod = module;
    this.training = module.training;
  }

  override forward(...args: Parameters<M['forward']>): ReturnType<M['forward']> {
    return this._origMod.call(...args);
  }
}

export function compile<M extends Module>(model: M, options?: CompileOptions): OptimizedModule<M> | M;
export function compile<F extends (...args: never[]) => unknown>(model: F, options?: CompileOptions): F;
export function compile(model: unknown, options?: CompileOptions): unknown {
  const { mode, options: backendOptions, disable = false } = optionsOf('torch.compile', options, COMPILE_OPTIONS);
  if (mode !== undefined && mode !== null && !MODES.includes(mode)) {
    throw new Error(`Unrecognized mode=${mode}, should be one of: ${MODES.join(', ')}`);
  }
  if (mode && backendOptions) {
    throw new Error("Either mode or options can be specified, but both can't be specified at the same time.");
  }
  if (model instanceof Module) return disable ? model : new OptimizedModule(model);
  if (typeof model === 'function') return model;
  throw new TypeError(`torch.compile: expected a Module or a function, got ${model === null ? 'null' : typeof model}`);
}
