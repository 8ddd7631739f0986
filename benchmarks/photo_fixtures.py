#!/usr/bin/env python3
"""What the photo serving benchmark serves: torchvision's MobileNetV2 and ResNet50 (10 classes, seeded random
weights: the time of a forward pass does not depend on them) exported to ONNX with their Svertka cards (the
ImageNet recipe: shorter side 256, centre crop 224, ImageNet mean/std), and camera-like JPEGs of 320x240 to
1024x768 at quality 85-95.

Debian: apt-get install python3-torch python3-torchvision python3-pil python3-numpy
Run by PhotoServeBenchmark (src/test/java/dev/svertka/bench), or by hand:
  python3 benchmarks/photo_fixtures.py OUT_DIR [--photos 64]
Writes OUT_DIR/{mobilenet_v2,resnet50}.onnx and .card.json, and OUT_DIR/photos/NNN.jpg.
"""
import argparse
import json
import os

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFilter
from torchvision import models

LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
SIZES = [(320, 240), (640, 480), (800, 600), (1024, 768)]


class WithSoftmax(torch.nn.Module):
    """Svertka's models answer probabilities."""

    def __init__(self, logits):
        super().__init__()
        self.logits = logits

    def forward(self, x):
        return torch.softmax(self.logits(x), dim=1)


def network(name):
    """The benchmark's network, the same for the ONNX export and the Python reference."""
    torch.manual_seed(20261204)
    return WithSoftmax(getattr(models, name)(num_classes=len(LABELS))).eval()


def photo(rng, width, height):
    """A textured scene: a blurred gradient with noise, and a few shapes, as compressible as a camera photo."""
    x = np.linspace(0, 1, width)[None, :, None]
    y = np.linspace(0, 1, height)[:, None, None]
    corners = rng.integers(30, 226, size=(2, 3))
    base = corners[0] * (1 - x) * (1 - y) + corners[1] * x * y + 60 * np.sin(9 * x + 5 * y)
    pixels = np.clip(base + rng.normal(0, 18, size=(height, width, 3)), 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels, "RGB").filter(ImageFilter.GaussianBlur(0.8))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x0, y0 = rng.integers(0, width), rng.integers(0, height)
        w, h = rng.integers(width // 10, width // 3), rng.integers(height // 10, height // 3)
        draw.ellipse([x0, y0, x0 + w, y0 + h], fill=tuple(int(c) for c in rng.integers(0, 256, size=3)))
    return image


def main():
    args = argparse.ArgumentParser()
    args.add_argument("out")
    args.add_argument("--photos", type=int, default=64)
    opts = args.parse_args()
    os.makedirs(os.path.join(opts.out, "photos"), exist_ok=True)
    for name in ["mobilenet_v2", "resnet50"]:
        torch.onnx.export(network(name), torch.zeros(1, 3, 224, 224), os.path.join(opts.out, name + ".onnx"),
                          input_names=["input"], output_names=["probabilities"], opset_version=13,
                          dynamic_axes={"input": {0: "batch"}, "probabilities": {0: "batch"}})
        card = {"name": name.replace("_", "-"), "labels": LABELS,
                "input": {"channels": 3, "height": 224, "width": 224}, "pixelScale": 1 / 255,
                "preprocessing": {"channelOrder": "RGB", "mean": MEAN, "std": STD, "resize": "shorter-side",
                                  "resizeTo": 256, "crop": "center"}}
        with open(os.path.join(opts.out, name + ".card.json"), "w") as f:
            json.dump(card, f, indent=1)
    rng = np.random.default_rng(14)
    for i in range(opts.photos):
        width, height = SIZES[i % len(SIZES)]
        photo(rng, width, height).save(os.path.join(opts.out, "photos", "%03d.jpg" % i),
                                       quality=int(rng.integers(85, 96)))


if __name__ == "__main__":
    main()
