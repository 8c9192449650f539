"""PyTorch side of @fracture/train's benchmark: the same models (study heads, from
tools/torch-reference/fracture_torch.py), batch and number of Adam steps on the same images,
with 2 threads. Prints one JSON object per model.

Usage: /usr/bin/python3 torch_bench.py --data DIR --steps N --batch B --models cnn,resnet18,...
"""
import argparse
import json
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "torch-reference"))
from fracture_torch import STUDY_SIZES as SIZES, build  # noqa: E402
from allocator import keep_freed_memory  # noqa: E402

# Before the first tensor: PyTorch measured with glibc's default allocator is 2-9x slow on some hosts.
print(keep_freed_memory(), file=sys.stderr)

torch.set_num_threads(2)


def load_images(data, count, size):
    paths = []
    for root, _, files in sorted(os.walk(data)):
        for f in sorted(files):
            if f.lower().endswith((".jpg", ".jpeg", ".png")):
                paths.append((os.path.join(root, f), 0 if "not fractured" not in root else 1))
    paths = paths[:: max(1, len(paths) // count)][:count]
    xs = np.stack([np.asarray(Image.open(p).convert("RGB").resize((size, size)), dtype=np.float32) / 255 for p, _ in paths])
    ys = np.array([label for _, label in paths])
    return torch.from_numpy(xs).permute(0, 3, 1, 2).contiguous(), torch.from_numpy(ys)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--models", default="cnn,resnet18,efficientnet-b3,mobilenetv2")
    args = parser.parse_args()
    for name in args.models.split(","):
        torch.manual_seed(0)
        size = SIZES[name]
        xs, ys = load_images(args.data, args.steps * args.batch, size)
        model = build(name).train()
        lr, wd = (1e-4, 1e-4) if name in ("resnet18", "efficientnet-b3") else (1e-3, 0.0)
        opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=wd)
        loss_fn = nn.CrossEntropyLoss()
        times = []
        for s in range(args.steps):
            x = xs[s * args.batch:(s + 1) * args.batch]
            y = ys[s * args.batch:(s + 1) * args.batch]
            t0 = time.perf_counter()
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            times.append(time.perf_counter() - t0)
        timed = times[1:] if len(times) > 1 else times
        print(json.dumps({
            "framework": "pytorch", "model": name, "size": size, "batch": args.batch, "steps": args.steps,
            "imagesPerSecond": args.batch * len(timed) / sum(timed),
            "peakRssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }), flush=True)
        del model, opt


if __name__ == "__main__":
    main()
