import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, test } from 'vitest';
import { bothNames, permissionModel, permissionFlags } from '../../graders/cli/sandbox/permissions.ts';

// A class's copies of the kit often share one install: node_modules is a symlink. The grading child
// resolves packages through the link's name, and the permission model checks names as given.
test.skipIf(!permissionModel)('a symlinked node_modules can be read under the grading permissions', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'torchlings-symlinked-'));
  const real = join(dir, 'shared-node_modules');
  mkdirSync(join(real, 'pkg'), { recursive: true });
  writeFileSync(join(real, 'pkg', 'index.js'), 'module.exports = 42;');
  const kit = join(dir, 'kit');
  mkdirSync(kit);
  symlinkSync(real, join(kit, 'node_modules'));
  expect(bothNames(join(kit, 'node_modules'))).toEqual([join(kit, 'node_modules'), real]);
  expect(bothNames(real)).toEqual([real]);

  const grant = (dirs: string[]) => [
    permissionFlags({ exerciseDir: join(dir, 'ex'), scratch: join(dir, 'scratch'), workers: false, addons: false })[0]!,
    ...dirs.map((d) => `--allow-fs-read=${d}`),
  ];
  const load = `const m = new (require('node:module'))(${JSON.stringify(join(kit, 'x.js'))}); m.paths = [${JSON.stringify(join(kit, 'node_modules'))}]; console.log(m.require('pkg'))`;
  const run = (dirs: string[]) =>
    execa(process.execPath, [...grant(dirs), '--disable-warning=ExperimentalWarning', '-e', load], { reject: false });
  expect((await run(bothNames(join(kit, 'node_modules')))).stdout).toBe('42');
  // The real path alone, as the kit granted before: "not allowed".
  expect((await run([real])).stderr).toMatch(/ERR_ACCESS_DENIED/);
});
