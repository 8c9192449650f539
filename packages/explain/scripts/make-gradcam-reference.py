#!/usr/bin/python3
"""PyTorch Grad-CAM / Grad-CAM++ references for @fracture/explain's parity test.

Run with Debian's interpreter (python3-torch, python3-torchvision, python3-opencv):
    /usr/bin/python3 scripts/make-gradcam-reference.py <out-dir>

For each study network it builds the torchvision model with the study's head, gives it seeded
random weights (batch-norm running statistics measured on random images, then perturbed, so batch
norm is neither the identity nor degenerate), and computes Grad-CAM at the study's layer with plain
autograd hooks (no pytorch-grad-cam): the forward hook keeps the layer's output A and registers a
tensor hook that keeps dScore/dA. The score is the LOGIT of the requested class.

    weights  w_k   = mean_ij dScore/dA_kij                      (Grad-CAM)
             w_k   = sum_ij relu(g) * g^2 / (2 g^2 + sum_ij(A_k) g^3 + 1e-6), 0 where g == 0   (Grad-CAM++)
    raw cam        = relu(sum_k w_k A_k)                         at the layer's resolution
    cam            = cv2.resize(minmax(raw), (W, H), INTER_LINEAR)   minmax: constant map -> zeros

Writes to <out-dir>, per case:
    <case>.safetensors        state dict (header + raw data written by hand: no safetensors module here)
    <case>-input.bin          input, float32 little-endian, NHWC
    <case>-logits.bin         [N, 2]
    <case>-cam-raw.bin        [N, h, w] Grad-CAM at the layer's resolution, one map per (image, class)
    <case>-cam.bin            [N, H, W] normalised and resized with cv2
    <case>-campp-raw.bin      [N, h, w] Grad-CAM++
    meta.json                 shapes, layer, classes, how close Grad-CAM++'s alpha came to its pole
Deterministic: fixed seeds, CPU, one thread. The study models and the writers are shared with the other
reference scripts: tools/torch-reference/fracture_torch.py.
"""
import json
import os
import sys

import cv2
import numpy as np
import torch
import torch.nn as nn
import torchvision

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "tools", "torch-reference"))
from fracture_torch import build, deterministic, head_linear, write_f32, write_safetensors  # noqa: E402

deterministic()

SIZE = 96  # every network's last conv is still 3 x 3 at this size
CLASSES = [0, 1]  # explained class per image of the batch
# The default Grad-CAM layer per network (the registry's gradCamLayer, see src/target-layer.ts): the last
# block's output, hooked on the torchvision container as pytorch-grad-cam users do.
LAYERS = {"resnet18": "layer4", "mobilenetv2": "features.18", "efficientnet-b3": "features.8"}


def randomise(model, gen, gamma_low, gamma_span):
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for bn in bns:
            bn.weight.copy_(torch.rand(bn.num_features, generator=gen) * gamma_span + gamma_low)
            bn.bias.copy_(torch.randn(bn.num_features, generator=gen) * 0.1)
            bn.reset_running_stats()
            bn.momentum = None  # cumulative average over the calibration batches
        model.train()
        for _ in range(2):
            model(torch.rand(4, 3, SIZE, SIZE, generator=gen))
        for bn in bns:
            bn.momentum = 0.1
            bn.running_mean.add_(torch.randn(bn.num_features, generator=gen) * 0.05 * bn.running_var.sqrt())
            bn.running_var.mul_(torch.rand(bn.num_features, generator=gen) * 0.4 + 0.8)
        head = head_linear(model)
        head.weight.copy_(torch.randn(head.weight.shape, generator=gen) / head.in_features ** 0.5)
        head.bias.copy_(torch.randn(head.bias.shape, generator=gen) * 0.1)
    model.eval()


def minmax(cam):
    lo, hi = cam.min(), cam.max()
    return (cam - lo) / (hi - lo) if hi > lo else np.zeros_like(cam)


def run_case(out, meta, name, gamma=(0.5, 1.0)):
    torch.manual_seed(0)
    model = build(name)
    layer_name = LAYERS[name]
    layer = model.get_submodule(layer_name)
    randomise(model, torch.Generator().manual_seed(1234), *gamma)
    x = torch.rand(len(CLASSES), 3, SIZE, SIZE, generator=torch.Generator().manual_seed(99))
    kept = {}

    def forward_hook(module, inputs, output):
        kept["activation"] = output
        output.register_hook(lambda grad: kept.__setitem__("gradient", grad))

    handle = layer.register_forward_hook(forward_hook)
    logits = model(x)
    handle.remove()
    score = logits[torch.arange(len(CLASSES)), torch.tensor(CLASSES)].sum()
    score.backward()
    a = kept["activation"].detach().double().numpy()  # [N, C, h, w]
    g = kept["gradient"].detach().double().numpy()

    weights = g.mean(axis=(2, 3))
    raw = np.maximum((weights[:, :, None, None] * a).sum(axis=1), 0)
    g2, g3 = g ** 2, g ** 3
    alpha = g2 / (2 * g2 + a.sum(axis=(2, 3))[:, :, None, None] * g3 + 1e-6)
    alpha = np.where(g != 0, alpha, 0)
    weights_pp = (np.maximum(g, 0) * alpha).sum(axis=(2, 3))
    raw_pp = np.maximum((weights_pp[:, :, None, None] * a).sum(axis=1), 0)
    # Grad-CAM++'s alpha has a pole where 2 + sum(A) g = 0: near it, float32 rounding of the gradient
    # is amplified by ~2 / |2 + sum(A) g|, so the test only demands 1e-4 where this stays away from 0.
    pole_distance = float(np.abs(2 + a.sum(axis=(2, 3))[:, :, None, None] * g)[g != 0].min())
    cam = np.stack([cv2.resize(minmax(r).astype(np.float32), (SIZE, SIZE), interpolation=cv2.INTER_LINEAR) for r in raw])

    write_safetensors(os.path.join(out, name + ".safetensors"), model.state_dict())
    write_f32(os.path.join(out, name + "-input.bin"), x.permute(0, 2, 3, 1).numpy())
    write_f32(os.path.join(out, name + "-logits.bin"), logits.detach().numpy())
    write_f32(os.path.join(out, name + "-cam-raw.bin"), raw)
    write_f32(os.path.join(out, name + "-cam.bin"), cam)
    write_f32(os.path.join(out, name + "-campp-raw.bin"), raw_pp)
    meta[name] = {
        "layer": layer_name,
        "classes": CLASSES,
        "inputShape": [len(CLASSES), SIZE, SIZE, 3],
        "rawShape": list(raw.shape),
        "camShape": list(cam.shape),
        "rawMax": [float(r.max()) for r in raw],
        "plusPlusPoleDistance": pole_distance,
    }


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    meta = {"torch": torch.__version__, "torchvision": torchvision.__version__, "opencv": cv2.__version__}
    run_case(out, meta, "resnet18")
    run_case(out, meta, "mobilenetv2")
    # EfficientNet-B3 stacks 26 residual MBConv blocks: with batch-norm gains in [0.5, 1.5] its activations
    # blow up (logits ~500) and the float32 map becomes chaotic (PyTorch's own float32 and float64 maps
    # differ by 4e-3). Gains in [0.1, 0.5] keep it well-conditioned (float32 vs float64: 7e-6).
    run_case(out, meta, "efficientnet-b3", gamma=(0.1, 0.4))
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
