/**
 * `npm run bench -- --compare FILE`: the kit's headline figures beside PyTorch's, as ratios.
 * FILE is the JSON bench/pytorch_reference.py prints (PyTorch is never a dependency of the kit:
 * whoever wants the comparison runs that script where torch is installed).
 */
import { readFileSync } from 'node:fs';

/** The figures both sides measure, under the names the Python script writes. */
export interface Figures {
  matmul_512_gflops: number;
  mlp_train_samples_per_s: number;
  /** The kit's only (torch.setNumThreads(2)), read against the reference's mlp_train_samples_per_s. */
  mlp_train_two_threads_samples_per_s: number;
  conv_fwd_bwd_ms: number;
  /** Optional in a reference file (older ones lack it): its row is left out there. */
  mlp_matmuls_ms: number;
}

/** The figures a reference file holds (the kit's two-thread figure is read against its one-thread one). */
type ReferenceFigures = Omit<Figures, 'mlp_train_two_threads_samples_per_s'>;

interface Reference extends ReferenceFigures {
  torch: string;
  threads: number;
}

const cases: readonly {
  key: keyof Figures;
  /** The reference figure it is read against, where that is not `key`. */
  against?: keyof ReferenceFigures;
  name: string;
  unit: string;
  higherIsBetter: boolean;
  optional?: boolean;
}[] = [
  { key: 'matmul_512_gflops', name: 'fp32 matmul n=512', unit: 'GFLOP/s', higherIsBetter: true },
  {
    key: 'mlp_matmuls_ms',
    name: "fp32 matmul, an MLP step's five (batch 64)",
    unit: 'ms',
    higherIsBetter: false,
    optional: true,
  },
  { key: 'mlp_train_samples_per_s', name: 'MNIST MLP training, batch 64', unit: 'samples/s', higherIsBetter: true },
  {
    // The goal: the kit on two threads ahead of PyTorch on one (a reference file made with
    // --threads 1, the default; the header says which).
    key: 'mlp_train_two_threads_samples_per_s',
    against: 'mlp_train_samples_per_s',
    name: 'MNIST MLP training, batch 64, kit on 2 threads',
    unit: 'samples/s',
    higherIsBetter: true,
  },
  { key: 'conv_fwd_bwd_ms', name: 'Conv2d 1→32→64 fwd+bwd, batch 64', unit: 'ms', higherIsBetter: false },
];

export function readReference(file: string): Reference {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(
      `--compare ${file}: cannot read it as JSON (${(e as Error).message}); make it with: python3 bench/pytorch_reference.py > ${file}`,
    );
  }
  const ref = parsed as Record<string, unknown>;
  const required = cases.filter((c) => !c.optional).map((c) => c.against ?? c.key);
  const missing = [...new Set([...required, 'torch', 'threads'])].filter(
    (k) => ref[k] === undefined || (k !== 'torch' && !(typeof ref[k] === 'number' && ref[k] > 0)),
  );
  if (missing.length > 0) {
    throw new Error(
      `--compare ${file}: expected positive numbers for ${missing.join(', ')} (the output of bench/pytorch_reference.py)`,
    );
  }
  return ref as unknown as Reference;
}

/** Rows: case, the kit's figure, PyTorch's, and the kit's speed as a fraction of PyTorch's. */
export function compareRows(kit: Partial<Figures>, ref: Reference): string[][] {
  const rows = [['case', 'torchlings', `PyTorch ${ref.torch}, ${ref.threads} thread(s)`, 'speed vs PyTorch']];
  for (const c of cases) {
    const mine = kit[c.key];
    if (mine === undefined) continue;
    const theirs = c.against ? ref[c.against] : (ref as Partial<Figures>)[c.key];
    if (theirs === undefined) continue; // an optional figure an older reference file lacks
    const speed = c.higherIsBetter ? mine / theirs : theirs / mine;
    const fmt = (x: number) => `${x.toFixed(c.unit === 'samples/s' ? 0 : 1)} ${c.unit}`;
    rows.push([c.name, fmt(mine), fmt(theirs), `${speed.toFixed(3)}×`]);
  }
  return rows;
}
