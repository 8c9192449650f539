#!/usr/bin/python3
"""Reference outputs of the torchvision models for @fracture/models' parity tests.

Run with Debian's interpreter (python3-torch, python3-torchvision):
    /usr/bin/python3 scripts/make-parity-fixtures.py <out-dir>

For each network it builds the torchvision model with the study's head, gives it seeded random
weights (batch-norm affine parameters and running statistics included, otherwise batch norm is
the identity and hides layout errors), runs a fixed input in eval mode and writes to <out-dir>:
    <case>.safetensors         state dict (written by hand: no safetensors module here)
    <case>.pth                 the same state dict via torch.save (zip format)
    <case>-timm.safetensors    the state dict renamed to timm's keys (only for timm architectures)
    <case>-input.bin           input, float32 little-endian, NHWC
    <case>-logits.bin          logits, float32, [N, classes]
    <case>-features.bin        the input of the final Linear, float32, [N, features]
    meta.json                  shapes, parameter counts, options
Everything is deterministic (fixed seeds, CPU, single thread). The notebook CNN, the study models and
the writers are shared with the other reference scripts: tools/torch-reference/fracture_torch.py.
"""
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "torch-reference"))
from fracture_torch import NotebookCnn, build, deterministic, head_linear, write_f32, write_safetensors  # noqa: E402

deterministic()


class TextCnn(nn.Module):
    """The paper text's CNN as @fracture/models builds it: 4 x (conv3x3-BN-ReLU-maxpool), dropout, FC 128, dropout, FC."""

    def __init__(self, size, num_classes=2):
        super().__init__()
        layers, c = [], 3
        for out in (32, 64, 128, 128):
            layers += [nn.Conv2d(c, out, 3, padding=1, bias=False), nn.BatchNorm2d(out), nn.ReLU(), nn.MaxPool2d(2)]
            c = out
        self.features = nn.Sequential(*layers)
        side = size // 16
        self.classifier = nn.Sequential(
            nn.Dropout(0.5), nn.Linear(c * side * side, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, num_classes)
        )

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def randomise(model, size, channels, gen):
    """Random batch-norm parameters, running statistics that match real activations, a random head.

    torchvision's init (BN weight 1, bias 0, running stats 0 / 1) makes batch norm nearly the identity,
    which would hide layout errors; random running statistics make deep nets blow up or collapse to a
    constant, which would hide everything else. So each BN's running statistics are measured on its
    actual eval-mode input for random images, one BN after the other in forward order, then nudged.
    """
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    # Small images need a large batch for stable statistics (the last stages see 1 x 1 maps at 32 px);
    # large ones have enough pixels per channel.
    calibration = torch.rand(64 if size <= 64 else 2, channels, size, size, generator=gen)
    model.eval()
    with torch.no_grad():
        for bn in bns:
            n = bn.num_features
            bn.weight.copy_(torch.rand(n, generator=gen) * 0.5 + 0.4)
            bn.bias.copy_(torch.randn(n, generator=gen) * 0.1)
        for bn in bns:
            seen = {}

            def measure(module, inputs):
                seen["x"] = inputs[0]

            handle = bn.register_forward_pre_hook(measure)
            model(calibration)
            handle.remove()
            x = seen["x"]
            n = bn.num_features
            bn.running_mean.copy_(x.mean(dim=(0, 2, 3)) + torch.randn(n, generator=gen) * 0.02 * x.std(dim=(0, 2, 3)))
            # A floor keeps near-constant channels from amplifying rounding differences a million-fold.
            var = x.var(dim=(0, 2, 3))
            bn.running_var.copy_(var * (torch.rand(n, generator=gen) * 0.2 + 0.9) + 0.1 * var.mean() + 1e-3)
            bn.num_batches_tracked.fill_(7)
        head = head_linear(model)
        head.weight.copy_(torch.randn(head.weight.shape, generator=gen) / math.sqrt(head.in_features))
        head.bias.copy_(torch.randn(head.bias.shape, generator=gen) * 0.1)


# ---- timm key names, written from timm's EfficientNet-family naming (independently of the TS code) ----
def timm_block_names(expand):
    if expand:
        return ["conv_pw", "bn1", "conv_dw", "bn2", "conv_pwl", "bn3"]
    return ["conv_dw", "bn1", "conv_pw", "bn2"]


def timm_rename_mobilenet_v2(sd):
    stage_of, stages = {}, [1, 2, 3, 4, 3, 3, 1]
    k = 1
    for s, n in enumerate(stages):
        for b in range(n):
            stage_of[k] = (s, b)
            k += 1
    out = {}
    for key, v in sd.items():
        parts = key.split(".")
        if parts[0] == "classifier":
            new = "classifier." + parts[-1]
        elif parts[0] == "features" and parts[1] == "0":
            new = ("conv_stem." if parts[2] == "0" else "bn1.") + parts[-1]
        elif parts[0] == "features" and parts[1] == "18":
            new = ("conv_head." if parts[2] == "0" else "bn2.") + parts[-1]
        else:
            s, b = stage_of[int(parts[1])]
            # modules under .conv in order of appearance: conv, bn (, conv, bn), conv, bn
            sub = parts[3:-1]
            order = ["0.0", "0.1", "1.0", "1.1", "2", "3"] if s > 0 else ["0.0", "0.1", "1", "2"]
            new = "blocks.%d.%d.%s.%s" % (s, b, timm_block_names(s > 0)[order.index(".".join(sub))], parts[-1])
        out[new] = v
    return out


def timm_rename_efficientnet_b3(sd):
    out = {}
    for key, v in sd.items():
        parts = key.split(".")
        if parts[0] == "classifier":
            new = "classifier." + parts[-1]
        elif parts[1] == "0":
            new = ("conv_stem." if parts[2] == "0" else "bn1.") + parts[-1]
        elif parts[1] == "8":
            new = ("conv_head." if parts[2] == "0" else "bn2.") + parts[-1]
        else:
            stage, block, sub = int(parts[1]) - 1, parts[2], ".".join(parts[4:-1])
            ds = stage == 0
            se_index = "1" if ds else "2"
            if sub.startswith(se_index + ".fc"):
                attr = "se.conv_reduce" if sub.endswith("fc1") else "se.conv_expand"
            else:
                order = ["0.0", "0.1", "2.0", "2.1"] if ds else ["0.0", "0.1", "1.0", "1.1", "3.0", "3.1"]
                attr = timm_block_names(not ds)[order.index(sub)]
            new = "blocks.%d.%s.%s.%s" % (stage, block, attr, parts[-1])
        out[new] = v
    return out


def timm_rename_resnet18(sd):
    return {k.replace("fc.1.", "fc."): v for k, v in sd.items()}


def run_case(out, meta, name, model, size, channels=3, timm=None, batch=2):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1234)
    randomise(model, size, channels, gen)
    sd = model.state_dict()
    x = torch.rand(batch, channels, size, size, generator=torch.Generator().manual_seed(99))
    captured = {}
    head = head_linear(model)

    def keep_features(module, inputs, output):
        captured["features"] = inputs[0].detach().clone()  # returns None: the output is left alone

    handle = head.register_forward_hook(keep_features)
    with torch.no_grad():
        logits = model(x)
    handle.remove()
    write_safetensors(os.path.join(out, name + ".safetensors"), sd)
    torch.save(sd, os.path.join(out, name + ".pth"))
    if timm is not None:
        write_safetensors(os.path.join(out, name + "-timm.safetensors"), timm(sd))
    write_f32(os.path.join(out, name + "-input.bin"), x.permute(0, 2, 3, 1))
    write_f32(os.path.join(out, name + "-logits.bin"), logits)
    write_f32(os.path.join(out, name + "-features.bin"), captured["features"])
    meta[name] = {
        "inputShape": [batch, size, size, channels],
        "logitsShape": list(logits.shape),
        "featuresShape": list(captured["features"].shape),
        "parameters": sum(p.numel() for p in model.parameters()),
        "timm": timm is not None,
    }
    return model


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    meta = {"torch": torch.__version__, "torchvision": torchvision.__version__}
    torch.manual_seed(0)
    run_case(out, meta, "cnn", NotebookCnn(64), 64)
    torch.manual_seed(0)
    run_case(out, meta, "cnn-text", TextCnn(64), 64)
    torch.manual_seed(0)
    resnet = run_case(out, meta, "resnet18", build("resnet18"), 64, timm=timm_rename_resnet18)
    torch.manual_seed(0)
    run_case(out, meta, "mobilenetv2", build("mobilenetv2"), 64, timm=timm_rename_mobilenet_v2)
    torch.manual_seed(0)
    # 32 px keeps the tfjs-cpu forward pass short; every stride-2 conv still sees an even-sized input.
    run_case(out, meta, "efficientnet-b3", build("efficientnet-b3"), 32, timm=timm_rename_efficientnet_b3)
    torch.manual_seed(0)
    run_case(out, meta, "mobilenetv2-224", build("mobilenetv2"), 224, batch=1)

    # Gray input: the RGB checkpoint of `resnet18`, evaluated by a model whose conv1 takes one channel
    # with the RGB filters summed (what loading a 3-channel checkpoint into a 1-channel model does).
    rgb_sd = resnet.state_dict()
    gray = build("resnet18")
    gray.conv1 = nn.Conv2d(1, 64, kernel_size=7, stride=2, padding=3, bias=False)
    gray_sd = dict(rgb_sd)
    gray_sd["conv1.weight"] = rgb_sd["conv1.weight"].sum(dim=1, keepdim=True)
    gray.load_state_dict(gray_sd)
    gray.eval()
    x = torch.rand(2, 1, 64, 64, generator=torch.Generator().manual_seed(99))
    with torch.no_grad():
        logits = gray(x)
    write_f32(os.path.join(out, "resnet18-gray-input.bin"), x.permute(0, 2, 3, 1))
    write_f32(os.path.join(out, "resnet18-gray-logits.bin"), logits)
    meta["resnet18-gray"] = {"inputShape": [2, 64, 64, 1], "logitsShape": list(logits.shape), "checkpoint": "resnet18"}

    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
