#!/usr/bin/python3
"""PyTorch CPU figures for @fracture/models' benchmark (bench/models.bench.ts).

For each model at its study input size: inference images/s at batch 1 and at batch 32 (eval mode, no_grad) and
training-step images/s at batch 32 (train mode, softmax cross-entropy, Adam), with torch.set_num_threads(threads).
Prints one JSON line per model. The networks are torchvision's with the study's heads, built by
tools/torch-reference/fracture_torch.py as for scripts/make-parity-fixtures.py.
Usage: /usr/bin/python3 bench/torch_bench.py --models cnn,resnet18 --threads 2 --repeats 1
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "torch-reference"))
from fracture_torch import STUDY_SIZES as SIZES, build  # noqa: E402
from allocator import keep_freed_memory  # noqa: E402

# Before the first tensor: PyTorch measured with glibc's default allocator is 2-9x slow on some hosts.
print(keep_freed_memory(), file=sys.stderr)


def rate(fn, images, repeats):
    fn()  # warm-up
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return images / best


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--models", default="cnn,resnet18,efficientnet-b3,mobilenetv2")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=1)
    p.add_argument("--batch", type=int, default=32)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    for name in a.models.split(","):
        size = SIZES[name]
        model = build(name)
        x1 = torch.rand(1, 3, size, size)
        xb = torch.rand(a.batch, 3, size, size)
        yb = torch.arange(a.batch) % 2
        model.eval()

        def infer(x):
            with torch.no_grad():
                model(x)

        infer1 = rate(lambda: infer(x1), 1, max(3, a.repeats))
        inferb = rate(lambda: infer(xb), a.batch, a.repeats)
        model.train()
        opt = torch.optim.Adam(model.parameters(), lr=1e-4)

        def step():
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()

        train = rate(step, a.batch, a.repeats)
        print(json.dumps({"model": name, "size": size, "infer1": infer1, "inferBatch": inferb, "train": train, "threads": a.threads}), flush=True)


if __name__ == "__main__":
    main()
