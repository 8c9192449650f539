"""PyTorch mirrors of fracture-ai's networks and the file writers its reference scripts share.

Dev-only: imported by the Python scripts under packages/*/scripts and packages/*/bench (run with
Debian's /usr/bin/python3, torch 1.13 / torchvision 0.14), never by the TypeScript packages. Those
scripts put this folder on sys.path themselves:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "torch-reference"))
    from fracture_torch import build, write_safetensors

The parity tests of @fracture/models and @fracture/explain hash this file together with their
script, so editing it regenerates their cached fixtures.
"""
import json
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

# Input side of each study model, as `inputSize` in packages/models/src/model-spec.ts.
STUDY_SIZES = {"cnn": 224, "resnet18": 224, "efficientnet-b3": 300, "mobilenetv2": 224}


class NotebookCnn(nn.Module):
    """The authors' notebook CNN: conv 3->6 3x3, maxpool 2, conv 6->16 3x3, maxpool 2, FC 120, FC 84, FC classes.

    Mirrors @fracture/models' createCustomCnn (variant 'notebook'), layer names conv1, conv2, fc1, fc2, fc3.
    """

    def __init__(self, size, num_classes=2):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 3)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 3)
        side = ((size - 2) // 2 - 2) // 2
        self.fc1 = nn.Linear(16 * side * side, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, num_classes)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def build(name, size=None, num_classes=2):
    """A study model with the study's head and torch's default initialisation (no pretrained weights).

    Mirrors @fracture/models' createModel(name) and the heads in packages/models/src/model-spec.ts:
      cnn              NotebookCnn(size), size defaults to STUDY_SIZES['cnn'] (the others take any size)
      resnet18         torchvision resnet18, fc = Sequential(Dropout(0.5), Linear(512, classes))    head fc.1
      efficientnet-b3  torchvision efficientnet_b3, classifier = Sequential(Dropout(0.5), Linear(1536, classes))
      mobilenetv2      torchvision mobilenet_v2, its own Dropout(0.2) then classifier[1] = Linear(1280, classes)
    Module trees and parameter names are torchvision's, so state dicts load into @fracture/models with
    source 'torchvision'.
    """
    if name == "cnn":
        return NotebookCnn(STUDY_SIZES["cnn"] if size is None else size, num_classes)
    if name == "resnet18":
        m = torchvision.models.resnet18(weights=None)
        m.fc = nn.Sequential(nn.Dropout(0.5), nn.Linear(512, num_classes))
        return m
    if name == "efficientnet-b3":
        m = torchvision.models.efficientnet_b3(weights=None)
        m.classifier = nn.Sequential(nn.Dropout(0.5), nn.Linear(1536, num_classes))
        return m
    if name == "mobilenetv2":
        m = torchvision.models.mobilenet_v2(weights=None)
        m.classifier[1] = nn.Linear(1280, num_classes)
        return m
    raise ValueError("unknown model %r (expected one of %s)" % (name, ", ".join(STUDY_SIZES)))


def head_linear(model):
    """The model's final nn.Linear (the layer named by `headLayer` in model-spec.ts: fc3, fc.1, classifier.1)."""
    return [m for m in model.modules() if isinstance(m, nn.Linear)][-1]


def deterministic(threads=1):
    """CPU reference runs that give the same bytes every time: a fixed thread count, deterministic kernels."""
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


SAFETENSORS_DTYPES = {
    torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int64: "I64", torch.uint8: "U8",
}


def write_safetensors(path, tensors, metadata=None):
    """Writes a dict of tensors as a safetensors file (the format @fracture/models' readSafetensors reads).

    Written by hand because Debian has no safetensors module: an 8-byte little-endian header length,
    the JSON header (tensors in dict order, optional string `__metadata__`, padded with spaces to a
    multiple of 8), then each tensor's little-endian bytes back to back. dtypes: F64, F32, F16, BF16, I64, U8.
    """
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name, t in tensors.items():
        if t.dtype not in SAFETENSORS_DTYPES:
            raise ValueError("write_safetensors: %s has unsupported dtype %s" % (name, t.dtype))
        t = t.detach().cpu().contiguous()
        if t.dtype == torch.bfloat16:  # numpy has no bfloat16: write the raw 16-bit patterns
            raw = t.view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            a = t.numpy()
            raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": SAFETENSORS_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in chunks:
            f.write(raw)


def write_f32(path, data):
    """Writes a tensor or array as raw little-endian float32 in row-major order (the tests' *.bin files)."""
    if isinstance(data, torch.Tensor):
        data = data.detach().cpu().contiguous().numpy()
    np.ascontiguousarray(data, dtype="<f4").tofile(path)
