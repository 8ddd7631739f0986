#!/usr/bin/env python3
"""The pipeline a team might write instead of Svertka: confluent-kafka + PyTorch, the same
architecture (consume -> batch -> decode -> infer -> produce) and the same model shape (seed-cnn:
conv 8, conv 16, max-pool, dense 128, dense 10; or, with --model, the photo benchmark's MobileNetV2 or
ResNet50 behind PIL decoding and torchvision's Resize(256), CenterCrop(224), ToTensor, Normalize). Weights
are random: the cost of a forward pass does not depend on them. At least once like Svertka: offsets are committed after the batch's predictions
are flushed to the broker.

Debian: apt-get install python3-confluent-kafka python3-torch python3-numpy python3-pil (python3-torchvision)
Run by ServeBenchmark and PhotoServeBenchmark (src/test/java/dev/svertka/bench), or by hand:
  python3 benchmarks/python_reference.py --bootstrap localhost:9092 --topic images-py \
      --output predictions-py --count 20000
Prints one line: images/s and latency percentiles (record timestamp to prediction), like Svertka's.
"""
import argparse
import io
import json
import time

import numpy as np
import torch
from confluent_kafka import Consumer, Producer
from PIL import Image

from train_reference import SeedCnn  # the same network the training benchmark uses (logits out)


def digits():
    """seed-cnn on 28x28 grey events: raw pixels or PNG."""
    def decode(value, headers):
        if headers.get("content-type") == "application/x-raw-pixels":
            pixels = np.frombuffer(value, dtype=np.uint8).reshape(28, 28)
        else:
            pixels = np.asarray(Image.open(io.BytesIO(value)).convert("L"))
        return torch.from_numpy(pixels.astype(np.float32) / 255.0).unsqueeze(0)
    model = SeedCnn().eval()
    return decode, lambda batch: torch.softmax(model(batch), dim=1)


def photos(name):
    """A photo network (photo_fixtures.py's, probabilities out) on colour photos of any size, as torchvision runs it."""
    from torchvision import transforms
    import photo_fixtures
    recipe = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
                                 transforms.Normalize(photo_fixtures.MEAN, photo_fixtures.STD)])
    return lambda value, headers: recipe(Image.open(io.BytesIO(value)).convert("RGB")), photo_fixtures.network(name)


def main():
    args = argparse.ArgumentParser()
    args.add_argument("--bootstrap", required=True)
    args.add_argument("--topic", required=True)
    args.add_argument("--output", required=True)
    args.add_argument("--count", type=int, required=True)
    args.add_argument("--batch", type=int, default=64)
    args.add_argument("--threads", type=int, default=1)
    args.add_argument("--model", default="seed-cnn", choices=["seed-cnn", "mobilenet_v2", "resnet50"])
    opts = args.parse_args()
    torch.set_num_threads(opts.threads)
    decode, model = digits() if opts.model == "seed-cnn" else photos(opts.model)
    consumer = Consumer({"bootstrap.servers": opts.bootstrap, "group.id": "python-reference",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    producer = Producer({"bootstrap.servers": opts.bootstrap, "enable.idempotence": True,
                         "linger.ms": 5})
    consumer.subscribe([opts.topic])
    latencies = []
    started = None
    with torch.no_grad():
        while len(latencies) < opts.count:
            records = [r for r in consumer.consume(num_messages=opts.batch, timeout=0.005) if not r.error()]
            if not records:
                continue
            if started is None:
                started = time.time()
            batch = torch.stack([decode(r.value(), {k: v.decode() for k, v in (r.headers() or [])})
                                 for r in records])
            probabilities = model(batch).numpy()
            now_ms = time.time() * 1000
            for record, p in zip(records, probabilities):
                top = np.argsort(p)[::-1][:3]
                latency = now_ms - record.timestamp()[1]
                latencies.append(latency)
                producer.produce(opts.output, key=record.key(), value=json.dumps({
                    "id": record.key().decode() if record.key() else None, "model": "reference", "version": 1,
                    "top": [{"label": str(i), "index": int(i), "probability": float(p[i])} for i in top],
                    "latencyMs": latency}))
            producer.flush()
            consumer.commit(asynchronous=False)
    seconds = time.time() - started
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    print(f"python reference ({opts.model}, confluent-kafka + PyTorch {torch.__version__}, {opts.threads} thread(s)): "
          f"{len(latencies)} predictions in {seconds:.1f} s = {len(latencies) / seconds:.0f} images/s; "
          f"latency p50 {pick(0.5):.0f} ms, p99 {pick(0.99):.0f} ms")
    consumer.close()


if __name__ == "__main__":
    main()
