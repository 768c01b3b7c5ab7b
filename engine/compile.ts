/**
 * torch.compile: PyTorch's wrapper and its contract (the same parameters, outputs and gradients as
 * the model itself). The first call for a guard key traces the forward into a graph of ops and fuses
 * its elementwise chains into one kernel each (engine/compile/); later calls run that graph. The
 * options are checked as PyTorch checks them; fullgraph makes a graph break an error, disable
 * returns the model, and the others do not change what runs.
 */
import { argTypeError, keys, optionsOf } from './args.ts';
import { CompiledFunction } from './compile/compiled.ts';
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
  readonly #compiled: CompiledFunction;

  constructor(module: M, fullgraph = false) {
    super();
    if (!(module instanceof Module)) throw argTypeError('OptimizedModule', 'mod', 1, 'a Module', module);
    this._origMod = module;
    this.training = module.training;
    this.#compiled = new CompiledFunction(
      (...args) => module.call(...(args as Parameters<M['forward']>)),
      fullgraph,
      () => {
        const { training, state, hooks } = module._compileGuard();
        return {
          state: `training:${training}`,
          held: state,
          unsupported: hooks ? 'module hooks (a graph would not call them)' : null,
        };
      },
    );
  }

  /**
   * Without hooks of its own, straight to the compiled forward: each of its paths (the graph, the
   * trace, an eager call of the model) frees its own temporaries, as Module.call would around it.
   */
  override call(...args: Parameters<this['forward']>): ReturnType<this['forward']> {
    return this._hasHooks() ? super.call(...args) : (this.#compiled.call(args) as ReturnType<this['forward']>);
  }

  override forward(...args: Parameters<M['forward']>): ReturnType<M['forward']> {
    return this.#compiled.call(args) as ReturnType<M['forward']>;
  }
}

// A name the wrapper lacks is the model's (PyTorch's OptimizedModule.__getattr__ reads _orig_mod):
// compiled.fc1, compiled.someMethod(). A Proxy behind the prototype sees only those misses, so the
// wrapper's own call, fields and Module methods cost nothing more.
Object.setPrototypeOf(
  OptimizedModule.prototype,
  new Proxy(Object.getPrototypeOf(OptimizedModule.prototype) as object, {
    get(target, key, receiver: OptimizedModule) {
      // _origMod itself is missing only while the constructor runs: nothing to forward to yet.
      if (key in target || typeof key === 'symbol' || key === '_origMod') return Reflect.get(target, key, receiver);
      const orig = receiver._origMod as unknown as Record<string, unknown> | undefined;
      const value = orig?.[key];
      return typeof value === 'function' ? value.bind(orig) : value;
    },
  }),
);

// The wrapper reads as the model (its fields come from it, as PyTorch's __getattr__ gives them), so
// the guide's `model = torch.compile(model)` type-checks and `model.fc1` still works.
export function compile<M extends Module>(model: M, options?: CompileOptions): (OptimizedModule<M> & M) | M;
export function compile<F extends (...args: never[]) => unknown>(model: F, options?: CompileOptions): F;
export function compile(model: unknown, options?: CompileOptions): unknown {
  const {
    mode,
    options: backendOptions,
    disable = false,
    fullgraph = false,
  } = optionsOf('torch.compile', options, COMPILE_OPTIONS);
  if (mode !== undefined && mode !== null && !MODES.includes(mode)) {
    throw new Error(`Unrecognized mode=${mode}, should be one of: ${MODES.join(', ')}`);
  }
  if (mode && backendOptions) {
    throw new Error("Either mode or options can be specified, but both can't be specified at the same time.");
  }
  if (model instanceof Module) return disable ? model : new OptimizedModule(model, fullgraph);
  if (typeof model === 'function') {
    if (disable) return model;
    const compiled = new CompiledFunction(model as (...args: unknown[]) => unknown, fullgraph);
    return (...args: unknown[]) => compiled.call(args);
  }
  throw new TypeError(`torch.compile: expected a Module or a function, got ${model === null ? 'null' : typeof model}`);
}
