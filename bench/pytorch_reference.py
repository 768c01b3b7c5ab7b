"""PyTorch's figures for `npm run bench -- --compare FILE` (torchlings' speed as a ratio of PyTorch's).

    python3 bench/pytorch_reference.py > pytorch.json           # one thread, as the kit's CPU backend
    python3 bench/pytorch_reference.py --threads 2 > pytorch-2.json
    npm run bench -- --compare pytorch.json

Needs only torch (pip install torch). It times the same cases as `npm run bench`, with the same
shapes, batch and optimizer: fp32 matmul n=512, training the MLP 784-128-10 (Adam 1e-3, batch 64,
cross-entropy) and Conv2d 1->32->64 (3x3, ReLU) forward+backward at batch 64 on 28x28 inputs. The
MLP trains on random inputs: its speed does not depend on the values, and torchvision is not needed.
Run it on the machine the kit runs on, close in time, and compare ratios, not absolute figures.
"""

import argparse
import json
import platform
import time

import torch


def median_ms(fn, runs=7, budget_s=0.2):
    """Median milliseconds per call; each sample repeats fn for about budget_s."""
    fn()
    t0 = time.perf_counter()
    fn()
    inner = max(1, round(budget_s / max(time.perf_counter() - t0, 1e-5)))
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t0) / inner * 1000)
    return sorted(samples)[len(samples) // 2]


def matmul_gflops(n=512):
    a, b = torch.rand(n, n), torch.rand(n, n)
    return 2 * n**3 / median_ms(lambda: a @ b) / 1e6


def mlp_matmuls_ms():
    """The five products of one MNIST MLP training step at batch 64, as bench/ops.ts times them."""
    torch.manual_seed(0)
    shapes = [(64, 784), (128, 784), (64, 128), (64, 128), (10, 128), (64, 10)]
    x, w1, g1, h, w2, g2 = (torch.randn(*s) for s in shapes)
    return median_ms(lambda: (x @ w1.t(), g1.t() @ x, h @ w2.t(), g2.t() @ h, g2 @ w2))


def mlp_samples_per_s(steps=20):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    x, y = torch.randn(steps, 64, 784), torch.randint(0, 10, (steps, 64))

    def chunk():
        for i in range(steps):
            optimizer.zero_grad()
            loss_fn(model(x[i]), y[i]).backward()
            optimizer.step()

    return steps * 64 / (median_ms(chunk) / 1000)


def conv_ms():
    torch.manual_seed(0)
    conv1, conv2 = torch.nn.Conv2d(1, 32, 3), torch.nn.Conv2d(32, 64, 3)
    x = torch.randn(64, 1, 28, 28)
    return median_ms(lambda: conv2(conv1(x).relu()).relu().sum().backward(), runs=5)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    figures = {
        "torch": torch.__version__,
        "threads": args.threads,
        "machine": f"{platform.machine()} {platform.processor()}".strip(),
        "matmul_512_gflops": matmul_gflops(),
        "mlp_matmuls_ms": mlp_matmuls_ms(),
        "mlp_train_samples_per_s": mlp_samples_per_s(),
        "conv_fwd_bwd_ms": conv_ms(),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
