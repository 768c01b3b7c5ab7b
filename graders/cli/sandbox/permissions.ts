import { realpathSync } from 'node:fs';
import { join } from 'node:path';
import { engineDir, nodeModulesLink } from './build.ts';

// Node's permission model, as each supported Node spells it: `--experimental-permission` up to
// 22.12, `--permission` from 22.13 (and 23.5); one --allow-fs-* flag per path.

export interface Grant {
  /** The learner's exercise folder (read only). */
  exerciseDir: string;
  /** The exercise's scratch folder: the only place it may write. */
  scratch: string;
  workers: boolean;
  addons: boolean;
}

const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];

/** Whether this Node has a permission model at all; without it grading runs unconfined, and says so. */
export const permissionModel = process.allowedNodeEnvironmentFlags.has(flag());

/** The report's `sandbox` field. */
export const sandboxInfo = (): { permissionModel: boolean; node: string } => ({
  permissionModel,
  node: process.version,
});

function flag(): string {
  return major > 23 || (major === 23 && minor >= 5) || (major === 22 && minor >= 13)
    ? '--permission'
    : '--experimental-permission';
}

export function permissionFlags(g: Grant): string[] {
  if (!permissionModel) return [];
  // Never the checkout's root: solutions/, the other graders and the reports live there.
  const read = [
    engineDir,
    ...bothNames(nodeModulesLink),
    join(engineDir, '..', 'package.json'),
    g.exerciseDir,
    g.scratch,
  ];
  return [
    flag(),
    ...read.map((p) => `--allow-fs-read=${p}`),
    `--allow-fs-write=${g.scratch}`,
    ...(g.workers ? ['--allow-worker'] : []),
    ...(g.addons ? ['--allow-addons'] : []),
  ];
}

/**
 * A folder by the name the child reaches it by and by its real path: Node resolves packages along
 * the first (a symlinked node_modules keeps its link's name in require's paths) and a package's own
 * symlinks lead to the second, and the permission model checks the names as given. Once if they are
 * the same: Node 20 aborts on a path granted twice.
 */
export function bothNames(path: string): string[] {
  const real = realpathSync(path);
  return real === path ? [path] : [path, real];
}
