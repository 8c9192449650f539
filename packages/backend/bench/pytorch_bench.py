"""PyTorch CPU reference for the @fracture/backend benchmark.

Times inference and one SGD training step (cross-entropy, batch-norm in training mode) at batch 32 for the four
study models, with torch.set_num_threads(threads). Prints one JSON object per model on stdout.
Usage: /usr/bin/python3 pytorch_bench.py --models cnn,resnet18 --batch 32 --threads 2 --repeats 1
"""
import argparse
import json
import resource
import sys
import time

import torch
import torch.nn as nn
import torchvision

SIZES = {"cnn": 224, "resnet18": 224, "efficientnet-b3": 300, "mobilenetv2": 224}


class NotebookCnn(nn.Module):
    """The authors' notebook CNN as @fracture/models builds it (conv 3x3 6, pool, conv 3x3 16, pool, 3 linear)."""

    def __init__(self, size: int, num_classes: int = 2):
        super().__init__()
        side = ((size - 2) // 2 - 2) // 2
        self.conv1 = nn.Conv2d(3, 6, 3)
        self.conv2 = nn.Conv2d(6, 16, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.fc1 = nn.Linear(16 * side * side, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = self.pool(torch.relu(self.conv1(x)))
        x = self.pool(torch.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))


def build(name: str) -> nn.Module:
    if name == "cnn":
        return NotebookCnn(SIZES[name])
    if name == "resnet18":
        return torchvision.models.resnet18(num_classes=2)
    if name == "mobilenetv2":
        return torchvision.models.mobilenet_v2(num_classes=2)
    if name == "efficientnet-b3":
        return torchvision.models.efficientnet_b3(num_classes=2)
    raise SystemExit(f"pytorch_bench: unknown model {name}")


def best_time(fn, repeats: int) -> float:
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--models", default="cnn,resnet18,efficientnet-b3,mobilenetv2")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    for name in args.models.split(","):
        size = SIZES[name]
        model = build(name)
        xs = torch.rand(args.batch, 3, size, size)
        ys = torch.arange(args.batch) % 2
        optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
        loss_fn = nn.CrossEntropyLoss()

        def infer():
            model.eval()
            with torch.no_grad():
                model(xs)

        def train():
            model.train()
            optimizer.zero_grad()
            loss_fn(model(xs), ys).backward()
            optimizer.step()

        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        infer_s = best_time(infer, args.repeats)
        train_s = best_time(train, args.repeats)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({
            "model": name,
            "size": size,
            "batch": args.batch,
            "threads": torch.get_num_threads(),
            "inferImagesPerSecond": args.batch / infer_s,
            "trainImagesPerSecond": args.batch / train_s,
            "peakRssMiB": peak_mb,
            "rssGrowthMiB": (peak_mb * 1024 - rss_before) / 1024,
        }), flush=True)
        del model, optimizer


if __name__ == "__main__":
    sys.exit(main())
