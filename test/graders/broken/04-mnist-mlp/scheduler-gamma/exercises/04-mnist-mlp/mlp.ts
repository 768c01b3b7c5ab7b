// 04 · MNIST 다층 퍼셉트론: the models, solved. Guide §5.1 (nn.Module), §5.2 (activations).
import * as torch from '#engine';

/**
 * The guide's SimpleNN (§5.1.3): one fully connected layer from a flattened 28×28 image (784
 * values) to 128 features.
 *
 * PyTorch:
 * ```python
 * class SimpleNN(nn.Module):
 *     def __init__(self):
 *         super().__init__()
 *         self.fc1 = nn.Linear(784, 128)
 *     def forward(self, x):
 *         return self.fc1(x)
 * ```
 */
export class SimpleNN extends torch.nn.Module {
  /** W: [128, 784], b: [128]. */
  readonly fc1: torch.nn.Linear;

  constructor() {
    super();
    // A field holding a Module is registered as a child: parameters() finds fc1.weight and fc1.bias.
    this.fc1 = new torch.nn.Linear(784, 128);
  }

  /** x [N, 784] → [N, 128]: y = x·Wᵀ + b. */
  override forward(x: torch.Tensor): torch.Tensor {
    return this.fc1.call(x);
  }
}

/** The nonlinearity between the two layers. */
export type Activation = 'relu' | 'sigmoid' | 'tanh';

/**
 * SimpleNN grown into a classifier, 784 → 128 → 10: fc1, an activation, fc2. Takes images
 * [N, 1, 28, 28] or flat rows [N, 784] and returns the logits [N, 10] (no softmax: the loss applies
 * logSoftmax itself).
 */
export class MLP extends torch.nn.Module {
  readonly fc1: torch.nn.Linear;
  readonly act: torch.nn.Module;
  readonly fc2: torch.nn.Linear;

  constructor(activation: Activation = 'relu') {
    super();
    this.fc1 = new torch.nn.Linear(784, 128);
    // Without a nonlinearity, fc2(fc1(x)) = x·(W₂W₁)ᵀ + … is still one linear map, however many
    // layers: the activation is what lets the network bend its decision boundaries (§5.2).
    this.act =
      activation === 'relu'
        ? new torch.nn.ReLU()
        : activation === 'sigmoid'
          ? new torch.nn.Sigmoid()
          : new torch.nn.Tanh();
    this.fc2 = new torch.nn.Linear(128, 10);
  }

  override forward(x: torch.Tensor): torch.Tensor {
    // flatten(1) keeps the batch dimension: [N, 1, 28, 28] → [N, 784]; [N, 784] stays as it is.
    // PyTorch: x.view(x.size(0), -1)
    const h = this.act.call(this.fc1.call(x.flatten(1)));
    return this.fc2.call(h); // logits: any real numbers, one score per digit
  }
}
