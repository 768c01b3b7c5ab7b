import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { expect, test } from 'vitest';
import { bundleAsChild } from '../../../bench/sandbox-cost.ts';

// The grading child's lockdown once made training 5–6× slower: Object.freeze on Object.prototype and
// %TypedArray%.prototype moved their (empty) element stores to V8's frozen kind, which turns off the
// fast element access of every array and typed array in the process (see lockdown.ts' freeze()).
// Rather than time a training loop (a timed test: flaky on a busy machine), this asks V8 what it
// made of each prototype; `npm run bench:sandbox` still measures what the lockdown costs, as a ratio.

interface Probe {
  names: string[];
  constructorIsData: Record<string, boolean>;
}

test('lockdown() leaves no prototype in a frozen element kind, and constructors as data', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'torchlings-lockdown-'));
  try {
    const bundle = await bundleAsChild(fileURLToPath(new URL('./lockdown-probe.ts', import.meta.url)), dir);
    const r = await execa(process.execPath, ['--allow-natives-syntax', bundle], { reject: false });
    expect(r.exitCode, r.stderr).toBe(0);
    const line = r.stderr.split('\n').find((l) => l.startsWith('probe '));
    expect(line, r.stderr).toBeDefined();
    const probe = JSON.parse(line!.slice('probe '.length)) as Probe;
    // One %DebugPrint block per object, in order; its element kind is on its " - elements:" line.
    const kinds = r.stdout
      .split(/^DebugPrint: /m)
      .slice(1)
      .map((block) => /^ - elements: .*\[(\w+)\]$/m.exec(block)?.[1] ?? `no element kind in: ${block.slice(0, 200)}`);
    expect(kinds).toHaveLength(probe.names.length);
    const kindOf = Object.fromEntries(probe.names.map((n, i) => [n, kinds[i]!]));
    // The detector itself: V8 names a frozen object's kind, and not a merely non-extensible one's.
    expect(kindOf['control: Object.freeze']).toMatch(/FROZEN/);
    expect(kindOf['control: Object.preventExtensions']).not.toMatch(/FROZEN|SEALED/);
    const slow = probe.names
      .filter((n) => !n.startsWith('control:'))
      .filter((n) => /FROZEN|SEALED/.test(kindOf[n]!))
      .map((n) => `${n}: ${kindOf[n]}`);
    expect(slow, 'prototypes in a frozen or sealed element kind').toEqual([]);
    // Made an accessor, `constructor` sends every species lookup (map, subarray, await) through a call.
    const accessors = Object.entries(probe.constructorIsData)
      .filter(([, data]) => !data)
      .map(([name]) => name);
    expect(accessors, "prototypes whose 'constructor' became an accessor").toEqual([]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
