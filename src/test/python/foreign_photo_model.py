#!/usr/bin/python3
"""A photo classifier made the PyTorch way, for the tests that check Svertka serves it as PyTorch runs it.

Writes into OUT (the one argument):
  photos/NN.jpg|png  colour test photos of many sizes and aspect ratios, each class a hue
  model.onnx         a small CNN trained on such photos with Resize(72), CenterCrop(64), ToTensor(), Normalize(...),
                     softmax included, exported by torch.onnx (input [batch, 3, 64, 64])
  card.json          the card a user would write for it (Svertka's card format, recipe included)
  expected.json      per photo: PyTorch's probabilities (PIL decode, the same transforms, the model) and the
                     file holding the transformed pixels before Normalize (pixels/NN.f32, float32 CHW, 0..1)
Everything is generated from fixed seeds; needs Debian's python3-torch, python3-torchvision, python3-pil.
"""
import colorsys
import json
import os
import sys

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFilter
from torch import nn
from torchvision import transforms

LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]


def photo(rng, label, width, height):
    """A blurred noisy background with an ellipse of the class's hue near the middle."""
    background = rng.integers(40, 216, size=3)
    pixels = np.clip(background + rng.normal(0, 25, size=(height, width, 3)), 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels, "RGB").filter(ImageFilter.GaussianBlur(1))
    red, green, blue = colorsys.hsv_to_rgb(label / len(LABELS), 0.85, rng.uniform(0.6, 1.0))
    side = min(width, height)
    radius = side * rng.uniform(0.2, 0.35)
    cx = width / 2 + rng.uniform(-0.1, 0.1) * side
    cy = height / 2 + rng.uniform(-0.1, 0.1) * side
    ImageDraw.Draw(image).ellipse([cx - radius, cy - radius * rng.uniform(0.6, 1.0), cx + radius,
                                   cy + radius * rng.uniform(0.6, 1.0)],
                                  fill=(int(red * 255), int(green * 255), int(blue * 255)))
    return image


def size(rng):
    return int(rng.integers(80, 700)), int(rng.integers(80, 560))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1))
        self.head = nn.Linear(32, len(LABELS))

    def forward(self, x):
        return torch.softmax(self.head(torch.flatten(self.features(x), 1)), dim=1)


def main(out):
    torch.manual_seed(13)
    torch.set_num_threads(2)
    rng = np.random.default_rng(13)
    geometry = transforms.Compose([transforms.Resize(72), transforms.CenterCrop(64), transforms.ToTensor()])
    normalise = transforms.Normalize(MEAN, STD)

    train_labels = [i % len(LABELS) for i in range(400)]
    train = torch.stack([normalise(geometry(photo(rng, label, *size(rng)))) for label in train_labels])
    targets = torch.tensor(train_labels)
    model = Net()
    optimiser = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(12):
        for batch in torch.randperm(len(train)).split(32):
            optimiser.zero_grad()
            loss = nn.functional.nll_loss(torch.log(model(train[batch]) + 1e-9), targets[batch])
            loss.backward()
            optimiser.step()
    model.eval()

    os.makedirs(os.path.join(out, "photos"), exist_ok=True)
    os.makedirs(os.path.join(out, "pixels"), exist_ok=True)
    torch.onnx.export(model, torch.zeros(1, 3, 64, 64), os.path.join(out, "model.onnx"), input_names=["input"],
                      output_names=["probabilities"], opset_version=13,
                      dynamic_axes={"input": {0: "batch"}, "probabilities": {0: "batch"}})
    card = {"name": "photo", "labels": LABELS, "input": {"channels": 3, "height": 64, "width": 64},
            "pixelScale": 1 / 255,
            "preprocessing": {"channelOrder": "RGB", "mean": MEAN, "std": STD, "resize": "shorter-side",
                              "resizeTo": 72, "crop": "center"}}
    with open(os.path.join(out, "card.json"), "w") as f:
        json.dump(card, f, indent=1)

    expected = []
    for i in range(40):
        label = i % len(LABELS)
        name = "%02d.%s" % (i, "png" if i % 8 == 7 else "jpg")
        path = os.path.join(out, "photos", name)
        picture = photo(rng, label, *size(rng))
        if name.endswith("png"):
            picture.save(path)
        else:
            picture.save(path, quality=int(rng.integers(85, 96)))
        # as a PyTorch user serves it: decode the file, transform, run
        pixels = geometry(Image.open(path).convert("RGB"))
        pixels.numpy().astype("<f4").tofile(os.path.join(out, "pixels", "%02d.f32" % i))
        with torch.no_grad():
            probabilities = model(normalise(pixels).unsqueeze(0))[0]
        expected.append({"file": name, "label": label, "pixels": "%02d.f32" % i,
                         "probabilities": [float(p) for p in probabilities]})
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump({"photos": expected}, f)


if __name__ == "__main__":
    main(sys.argv[1])
