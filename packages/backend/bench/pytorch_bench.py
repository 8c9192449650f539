"""PyTorch CPU reference for the @fracture/backend benchmark.

Times inference and one SGD training step (cross-entropy, batch-norm in training mode) at batch 32 for the four
study models (with the study's heads, built by tools/torch-reference/fracture_torch.py), with
torch.set_num_threads(threads). Prints one JSON object per model on stdout.
Usage: /usr/bin/python3 pytorch_bench.py --models cnn,resnet18 --batch 32 --threads 2 --repeats 1
"""
import argparse
import json
import os
import resource
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "torch-reference"))
from fracture_torch import STUDY_SIZES as SIZES, build  # noqa: E402
from allocator import keep_freed_memory  # noqa: E402

# Before the first tensor: PyTorch measured with glibc's default allocator is 2-9x slow on some hosts.
print(keep_freed_memory(), file=sys.stderr)


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
