// 04 · MNIST 다층 퍼셉트론 — README.md 를 먼저 읽으세요. Read README.md first.
import * as torch from '#engine';
import { todo } from '#kit/todo';

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
    todo('SimpleNN constructor');
  }

  /** x [N, 784] → [N, 128]: y = x·Wᵀ + b. */
  override forward(x: torch.Tensor): torch.Tensor {
    return todo('SimpleNN.forward', x);
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
  /** Linear(784, 128). */
  readonly fc1: torch.nn.Linear;
  /** nn.ReLU, nn.Sigmoid or nn.Tanh, as `activation` says. */
  readonly act: torch.nn.Module;
  /** Linear(128, 10). */
  readonly fc2: torch.nn.Linear;

  constructor(activation: Activation = 'relu') {
    super();
    todo('MLP constructor', activation);
  }

  override forward(x: torch.Tensor): torch.Tensor {
    return todo('MLP.forward', x);
  }
}
