#!/usr/bin/env python3
"""PyTorch side of TrainBenchmark: trains seed-cnn as a PyTorch user would write it, on the same
IDX data, batch size and thread count as the DL4J side, and prints one JSON line with its speed
and test accuracy. Run by src/test/java/dev/svertka/bench/TrainBenchmark.java, or alone:

    OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2 /usr/bin/python3 benchmarks/train_reference.py \
        --data /usr/share/datasets/fashion-mnist --images 20000 --threads 2

Debian: apt-get install python3-torch python3-numpy dataset-fashion-mnist
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch


class SeedCnn(torch.nn.Module):
    """Svertka's seed-cnn for training: Conv 8, Conv 16, MaxPool, Dropout 0.2, Dense 128, Dropout 0.5, Dense."""

    def __init__(self, classes=10):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 8, 3)
        self.conv2 = torch.nn.Conv2d(8, 16, 3)
        self.dense = torch.nn.Linear(16 * 12 * 12, 128)
        self.out = torch.nn.Linear(128, classes)
        for layer in (self.conv1, self.conv2, self.dense, self.out):  # Keras' glorot_uniform, as DL4J's XAVIER_UNIFORM
            torch.nn.init.xavier_uniform_(layer.weight)
            torch.nn.init.zeros_(layer.bias)

    def forward(self, x):
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        x = torch.nn.functional.dropout(torch.nn.functional.max_pool2d(x, 2), 0.2, self.training)
        x = torch.relu(self.dense(torch.flatten(x, 1)))
        return self.out(torch.nn.functional.dropout(x, 0.5, self.training))  # logits: cross_entropy adds softmax


class DeepCnn(torch.nn.Module):
    """Svertka's deep-cnn: 2 x (Conv, ReLU, BN, Conv, ReLU, BN, MaxPool, Dropout 0.25) at 32 and 64 filters, same
    padding; Dense 256, Dropout 0.5, Dense. PyTorch's default initialisation (DL4J uses He for the convolutions)."""

    def __init__(self, classes=10):
        super().__init__()
        layers, channels = [], 1
        for filters in (32, 64):
            for _ in range(2):
                layers += [torch.nn.Conv2d(channels, filters, 3, padding=1), torch.nn.ReLU(),
                           torch.nn.BatchNorm2d(filters)]
                channels = filters
            layers += [torch.nn.MaxPool2d(2), torch.nn.Dropout(0.25)]
        self.features = torch.nn.Sequential(*layers)
        self.head = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64 * 7 * 7, 256), torch.nn.ReLU(),
                                        torch.nn.Dropout(0.5), torch.nn.Linear(256, classes))

    def forward(self, x):
        return self.head(self.features(x))


PRESETS = {"seed-cnn": SeedCnn, "deep-cnn": DeepCnn}


def read_idx(data, name):
    path = os.path.join(data, name)
    opener = open if os.path.exists(path) else gzip.open
    with opener(path if os.path.exists(path) else path + ".gz", "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    parser.add_argument("--images", type=int, default=60000, help="first N training images")
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--preset", choices=sorted(PRESETS), default="seed-cnn")
    parser.add_argument("--profile", action="store_true",
                        help="print torch.profiler's per-op CPU time of the epoch(s) to stderr (slows training)")
    opts = parser.parse_args()
    torch.set_num_threads(opts.threads)
    torch.manual_seed(opts.seed)
    train_x = read_idx(opts.data, "train-images-idx3-ubyte")[:opts.images]
    train_y = read_idx(opts.data, "train-labels-idx1-ubyte")[:opts.images]
    test_x = read_idx(opts.data, "t10k-images-idx3-ubyte")
    test_y = read_idx(opts.data, "t10k-labels-idx1-ubyte")
    model = PRESETS[opts.preset]()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    rng = np.random.default_rng(opts.seed)
    seconds = []
    cpu_first, cpu_last = None, None  # process CPU time after the first and the last batch, as CpuClock.java
    profiler = torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) if opts.profile else None
    if profiler:
        profiler.start()
    for _ in range(opts.epochs):
        model.train()
        started = time.perf_counter()
        order = rng.permutation(len(train_x))
        for i in range(0, len(order), opts.batch):
            # data feeding counted like the DL4J side: bytes to floats 0..1 per batch
            picked = order[i:i + opts.batch]
            x = torch.from_numpy(train_x[picked].astype(np.float32) / 255.0).unsqueeze(1)
            y = torch.from_numpy(train_y[picked].astype(np.int64))
            optimizer.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            cpu_last = time.process_time()
            cpu_first = cpu_last if cpu_first is None else cpu_first
        seconds.append(time.perf_counter() - started)
    if profiler:
        profiler.stop()
        print(profiler.key_averages().table(sort_by="self_cpu_time_total", row_limit=25), file=sys.stderr)
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(test_x), 256):
            x = torch.from_numpy(test_x[i:i + 256].astype(np.float32) / 255.0).unsqueeze(1)
            correct += int((model(x).argmax(1).numpy() == test_y[i:i + 256]).sum())
    print(json.dumps({"images_per_second": len(train_x) * opts.epochs / sum(seconds),
                      "images_per_cpu_second": (len(train_x) * opts.epochs - opts.batch) / (cpu_last - cpu_first),
                      "epoch_seconds": seconds, "test_accuracy": correct / len(test_x),
                      "threads": torch.get_num_threads(), "preset": opts.preset, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
