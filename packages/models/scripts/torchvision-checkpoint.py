#!/usr/bin/env python3
"""Saves a randomly initialised torchvision MobileNetV2 state dict the way torchvision ships
weights (torch.save of model.state_dict()), plus exact per-tensor checksums for the tests.

Usage: /usr/bin/python3 scripts/torchvision-checkpoint.py OUT.pth OUT.json
Checksums are computed on the float32 bit patterns (int32 view), so they are exact:
  bitSum      = sum(bits)
  weightedSum = sum(bits * (i % 3 + 1))   (i = row-major index, catches permuted elements)
"""
import json
import sys

import torch
import torchvision

out_pth, out_json = sys.argv[1], sys.argv[2]
torch.manual_seed(0)
model = torchvision.models.mobilenet_v2(num_classes=2)
model.train()
model(torch.randn(2, 3, 32, 32))  # moves running stats off their defaults and counts a batch
state_dict = model.state_dict()
torch.save(state_dict, out_pth)

summary = {}
for name, t in state_dict.items():
    flat = t.contiguous().reshape(-1)
    if t.dtype == torch.float32:
        bits = flat.view(torch.int32).long()
        weights = torch.arange(flat.numel()) % 3 + 1
        summary[name] = {'dtype': 'float32', 'shape': list(t.shape), 'bitSum': str(int(bits.sum())),
                         'weightedSum': str(int((bits * weights).sum()))}
    else:
        summary[name] = {'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape),
                         'values': [str(v) for v in flat.tolist()]}
with open(out_json, 'w') as f:
    json.dump(summary, f)
