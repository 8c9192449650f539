#!/usr/bin/python3
"""PyTorch side of `npm run bench:xray`: ImageNet MobileNetV2 features of one real radiograph.

Loads the torchvision-named safetensors weights (parsed by hand), preprocesses the image as the study did
(RGB, resize to 224 x 224 bilinear, [0, 1], ImageNet mean/std), runs torchvision's mobilenet_v2 in eval mode
and writes <out>/xray-input.bin (NHWC float32) and <out>/xray-features.bin (the 1280 pooled features).
Usage: /usr/bin/python3 bench/xray_features.py <weights.safetensors> <image> <out-dir>
"""
import json
import os
import struct
import sys

import numpy as np
import torch
import torchvision
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "torch-reference"))
from fracture_torch import write_f32  # noqa: E402

DTYPES = {"F32": np.float32, "I64": np.int64}


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + n])
    data = raw[8 + n :]
    out = {}
    for key, info in header.items():
        if key == "__metadata__":
            continue
        a, b = info["data_offsets"]
        out[key] = torch.from_numpy(np.frombuffer(data[a:b], dtype=DTYPES[info["dtype"]]).reshape(info["shape"]).copy())
    return out


def main():
    weights, image, out = sys.argv[1:4]
    os.makedirs(out, exist_ok=True)
    torch.set_num_threads(2)
    model = torchvision.models.mobilenet_v2(weights=None)
    result = model.load_state_dict(read_safetensors(weights), strict=False)
    model.eval()
    img = Image.open(image).convert("RGB").resize((224, 224), Image.BILINEAR)
    x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)
    mean = torch.tensor([0.485, 0.456, 0.406]).view(3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225]).view(3, 1, 1)
    x = ((x - mean) / std).unsqueeze(0)
    with torch.no_grad():
        features = torch.flatten(torch.nn.functional.adaptive_avg_pool2d(model.features(x), 1), 1)
    write_f32(os.path.join(out, "xray-input.bin"), x.permute(0, 2, 3, 1))
    write_f32(os.path.join(out, "xray-features.bin"), features)
    print(json.dumps({"missing": result.missing_keys, "unexpected": result.unexpected_keys}))


if __name__ == "__main__":
    main()
