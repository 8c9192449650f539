"""The same work as preprocess.bench.ts, in PIL + torchvision: decode, resize to 224, the study's augmentation.

Usage: /usr/bin/python3 pil_bench.py LIST_FILE  (one group name, tab, path per line)
Prints JSON: {group: {"images": n, "seconds": s, "stages": {"decode": s, "resize": s, "augment": s}}}.
"""
import json
import sys
import time

import torch
from PIL import Image
from torchvision import transforms

torch.set_num_threads(1)
torch.manual_seed(0)

# The study's notebook (ResNet18 / MobileNetV2 pipeline), after a resize to the model's input.
resize = transforms.Resize((224, 224))
augment = transforms.Compose([
    transforms.RandomResizedCrop(224, scale=(0.8, 1.0)),
    transforms.RandomHorizontalFlip(),
    transforms.RandomRotation(10),
    transforms.ColorJitter(0.3, 0.3, 0.3),
    transforms.ToTensor(),
])

groups = {}
with open(sys.argv[1]) as f:
    for line in f:
        group, path = line.rstrip("\n").split("\t", 1)
        groups.setdefault(group, []).append(path)

result = {}
for group, paths in groups.items():
    stages = {"decode": 0.0, "resize": 0.0, "augment": 0.0}
    start = time.perf_counter()
    for path in paths:
        t0 = time.perf_counter()
        with Image.open(path) as image:
            rgb = image.convert("RGB")
        t1 = time.perf_counter()
        small = resize(rgb)
        t2 = time.perf_counter()
        augment(small)
        t3 = time.perf_counter()
        stages["decode"] += t1 - t0
        stages["resize"] += t2 - t1
        stages["augment"] += t3 - t2
    result[group] = {"images": len(paths), "seconds": time.perf_counter() - start, "stages": stages}
print(json.dumps(result))
