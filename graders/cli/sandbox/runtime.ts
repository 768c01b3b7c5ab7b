// The grading child's program (bundled by build.ts, started by boot.ts). In this order: keep what
// the kit needs from Node (the results pipe, the clock, the signer) where no later code can reach
// it; close the exits a learner's code could use to end or escape grading (process.exit,
// process.kill, WASI); load the grader, which registers its checks; lock down (lockdown.ts); only
// then run the checks, which load the learner's files.
import { writeSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import wasi from 'node:wasi';
import * as torch from '#engine';
import { registerModules } from '#engine/utils/data/modules';
import { setWorkerBoot } from '#engine/utils/data/worker-pool';
import * as kit from '#kit/grader';
import * as checkModule from '#kit/check';
import * as classifyModule from '#kit/classify';
import * as env from '#kit/env';
import * as failure from '#kit/failure';
import * as load from '#kit/load';
import * as todo from '#kit/todo';
import * as vision from '#engine/vision';
import type { GradeEvent } from '../../lib/events.ts';
import { lockdown } from './lockdown.ts';
import { runChecks } from './run-checks.ts';
import { signer } from './signing.ts';
import { WORKER_BOOT } from './worker-runtime.ts';

/** File descriptor of the results pipe (the CLI's stdio[3]). */
const RESULTS_FD = 3;

export interface Bundled {
  learners: Record<string, () => unknown>;
  modules: Record<string, () => unknown>;
  grader: () => unknown;
}

export interface ChildConfig {
  /** The worker bundle, when the exercise's DataLoader may start worker threads (and the shared one, boot.ts). */
  worker?: { code: string; filename: string; shared: { code: string; filename: string } };
}

export async function main(key: string, config: ChildConfig, bundled: Bundled): Promise<void> {
  const sign = signer(key);
  const write = writeSync;
  const exit = (process as unknown as { reallyExit(code: number): never }).reallyExit.bind(process);
  let seq = 0;
  const emit = (event: GradeEvent): void => {
    try {
      write(RESULTS_FD, sign(seq++, event));
    } catch {
      // The pipe is gone (the learner closed it): the CLI reports the checks it never heard of.
    }
  };

  env.pinEnvironment();
  load.setTargetLoader(learnerLoader(bundled.learners));
  registerModules(bundled.modules);
  if (config.worker) setWorkerBoot({ code: WORKER_BOOT, data: config.worker });
  closeExits();

  bundled.grader();
  const watch = lockdown([torch, vision, kit, checkModule, classifyModule, env, failure, load, todo]);
  await runChecks(emit, watch);
  emit({ type: 'end' });
  exit(0);
}

/** Each learner module is evaluated once; one that threw at load throws the same error every time. */
function learnerLoader(learners: Record<string, () => unknown>): (path: string) => unknown {
  const loaded = new Map<string, { value: unknown } | { error: unknown }>();
  return (path) => {
    let entry = loaded.get(path);
    if (!entry) {
      const load = learners[path];
      if (!load) throw new Error(`${path} was not part of the graded files`);
      try {
        entry = { value: load() };
      } catch (error) {
        entry = { error };
      }
      loaded.set(path, entry);
    }
    if ('error' in entry) throw entry.error;
    return entry.value;
  };
}

/**
 * process.exit throws, as under a test runner, so that the check that called it fails with the
 * learner's line; process.kill throws (the permission model allows signals, even to the CLI); WASI,
 * which Node 20's permission model does not cover, is gone.
 */
function closeExits(): void {
  // A function, not an arrow: `new WASI()` must throw this error too, not "not a constructor".
  const deny = (what: string) =>
    function denied(): never {
      throw Object.assign(new Error(`${what} is not allowed while grading`), { code: 'ERR_ACCESS_DENIED' });
    };
  const fixed = (value: unknown) => ({ value, writable: false, configurable: false });
  Object.defineProperties(process, {
    exit: fixed((code?: unknown) => {
      throw new Error(`process.exit unexpectedly called with "${String(code)}"`);
    }),
    reallyExit: fixed(deny('process.reallyExit')),
    kill: fixed(deny('process.kill')),
    _kill: fixed(deny('process.kill')),
    abort: fixed(deny('process.abort')),
    chdir: fixed(deny('process.chdir')),
  });
  Object.defineProperty(wasi, 'WASI', fixed(deny('WASI')));
  syncBuiltinESMExports();
}
