import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareRows, readReference } from '../../bench/compare.ts';

/** `npm run bench -- --compare FILE` reads bench/pytorch_reference.py's JSON and prints ratios. */
describe('bench --compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'torchlings-compare-'));
  const write = (name: string, content: string) => {
    const file = join(dir, name);
    writeFileSync(file, content);
    return file;
  };
  const reference = {
    torch: '2.5.1',
    threads: 1,
    matmul_512_gflops: 150,
    mlp_train_samples_per_s: 60000,
    conv_fwd_bwd_ms: 40,
  };

  it('states the kit as a fraction of PyTorch, for rates and for times alike', () => {
    const ref = readReference(write('ok.json', JSON.stringify(reference)));
    const rows = compareRows({ matmul_512_gflops: 75, conv_fwd_bwd_ms: 160 }, ref);
    expect(rows[0]).toEqual(['case', 'torchlings', 'PyTorch 2.5.1, 1 thread(s)', 'speed vs PyTorch']);
    expect(rows.slice(1).map((r) => [r[0], r[3]])).toEqual([
      ['fp32 matmul n=512', '0.500×'],
      ['Conv2d 1→32→64 fwd+bwd, batch 64', '0.250×'],
    ]);
  });

  it('names the missing figures and how to make the file', () => {
    const { conv_fwd_bwd_ms: _, ...partial } = reference;
    expect(() => readReference(write('partial.json', JSON.stringify(partial)))).toThrow(
      /expected positive numbers for conv_fwd_bwd_ms/,
    );
    expect(() => readReference(write('bad.json', 'torch 2.5'))).toThrow(
      /cannot read it as JSON .*python3 bench\/pytorch_reference.py/,
    );
  });

  it("compares the MLP step's matmuls where the file has them, and leaves the row out of an older file", () => {
    const kit = { matmul_512_gflops: 75, mlp_matmuls_ms: 3 };
    const older = compareRows(kit, readReference(write('older.json', JSON.stringify(reference))));
    expect(older.slice(1).map((r) => r[0])).toEqual(['fp32 matmul n=512']);
    const newer = readReference(write('newer.json', JSON.stringify({ ...reference, mlp_matmuls_ms: 1 })));
    expect(compareRows(kit, newer)[2]).toEqual([
      "fp32 matmul, an MLP step's five (batch 64)",
      '3.0 ms',
      '1.0 ms',
      '0.333×',
    ]);
  });

  it("reads the kit's two-thread training against the reference's training figure", () => {
    const ref = readReference(write('two.json', JSON.stringify(reference)));
    const rows = compareRows({ mlp_train_samples_per_s: 30000, mlp_train_two_threads_samples_per_s: 90000 }, ref);
    expect(rows.slice(1)).toEqual([
      ['MNIST MLP training, batch 64', '30000 samples/s', '60000 samples/s', '0.500×'],
      ['MNIST MLP training, batch 64, kit on 2 threads', '90000 samples/s', '60000 samples/s', '1.500×'],
    ]);
  });
});
