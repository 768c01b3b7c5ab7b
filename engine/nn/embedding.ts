/** torch.nn.Embedding: a lookup table of numEmbeddings rows of embeddingDim values. */
import { keys, namedArgs } from '../args.ts';
import { empty } from '../tensor/create.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { noGrad } from '../autograd/grad-mode.ts';
import { embedding, paddingRow } from './functional/embedding.ts';
import { normal_ } from './init.ts';
import type { FactoryOptions } from './linear.ts';
import { Module, engineLayers } from './module.ts';
import { Parameter } from './parameter.ts';

export interface EmbeddingModuleOptions extends FactoryOptions {
  /** This row starts at zero and gets no gradient (a padding token's). */
  paddingIdx?: number | null;
  maxNorm?: number | null;
  normType?: number;
  scaleGradByFreq?: boolean;
  sparse?: boolean;
  /** Weights to start from ([numEmbeddings, embeddingDim]) instead of N(0, 1). */
  weight?: Tensor | null;
}

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  weight: Parameter;

  constructor(
    numEmbeddings: number,
    embeddingDim: number,
    paddingIdx?: number | null,
    options?: EmbeddingModuleOptions,
  );
  constructor(numEmbeddings: number, embeddingDim: number, options?: EmbeddingModuleOptions);
  constructor(numEmbeddings: number, embeddingDim: number, ...rest: unknown[]) {
    super();
    const call = 'torch.nn.Embedding';
    const o = namedArgs<EmbeddingModuleOptions>(
      call,
      ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse', 'weight'],
      rest,
      keys<EmbeddingModuleOptions>({
        paddingIdx: 1,
        maxNorm: 1,
        normType: 1,
        scaleGradByFreq: 1,
        sparse: 1,
        weight: 1,
        device: 1,
        dtype: 1,
      }),
    );
    for (const [name, v] of [
      ['numEmbeddings', numEmbeddings],
      ['embeddingDim', embeddingDim],
    ] as const)
      if (!Number.isInteger(v) || (v as number) < 0)
        throw new TypeError(`${call}: ${name} must be a non-negative integer, not ${String(v)}`);
    if (o.maxNorm != null || o.scaleGradByFreq || o.sparse)
      throw new Error(`${call}: maxNorm, scaleGradByFreq and sparse are not supported here`);
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = paddingRow(call, o.paddingIdx, numEmbeddings);
    if (o.weight) {
      if (o.weight.ndim !== 2 || o.weight.shape[0] !== numEmbeddings || o.weight.shape[1] !== embeddingDim)
        throw new RangeError('Shape of weight does not match num_embeddings and embedding_dim');
      this.weight = new Parameter(o.weight.detach());
    } else {
      this.weight = new Parameter(empty([numEmbeddings, embeddingDim], { device: o.device, dtype: o.dtype }));
      this.resetParameters();
    }
  }

  /** N(0, 1), then the padding row zeroed, as PyTorch's reset_parameters. */
  resetParameters(): void {
    normal_(this.weight);
    if (this.paddingIdx !== null) noGrad(() => this.weight.index(this.paddingIdx!).fill_(0));
  }

  override forward(input: Tensor): Tensor {
    return embedding(input, this.weight, { paddingIdx: this.paddingIdx });
  }

  override extraRepr(): string {
    return `${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, padding_idx=${this.paddingIdx}`}`;
  }
}

engineLayers(Embedding);
