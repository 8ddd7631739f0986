#!/usr/bin/env python3
"""A team's own Kafka client in Python (confluent-kafka, i.e. librdkafka), used as users use Svertka: it produces
Fashion-MNIST test images (raw pixels or PNG) to the images topic in one burst and reads the outcomes back from
the predictions and dead-letter topics, or measures what Kafka alone gives it in the same place.

Debian: apt-get install python3-confluent-kafka python3-numpy python3-pil dataset-fashion-mnist
Run by UserShapedBenchmark (src/test/java/dev/svertka/bench), or by hand against a running broker and serve:
  python3 benchmarks/user_client.py --bootstrap localhost:9092 --encoding png --count 100000 burst
  python3 benchmarks/user_client.py --bootstrap localhost:9092 --encoding raw --count 100000 --partitions 4 ceiling

burst: every image (and --malformed broken ones) sent at once, each accounted for by key: predicted, dead-lettered
  (with its reason), missing or duplicated. Images/s = images / (first send -> last outcome read).
ceiling: the same events produced to a new topic of --partitions partitions, flushed, then read back by one consumer:
  the two passes the pipeline's traffic makes (in, then out), without the pipeline.
Prints one line starting with RESULT followed by JSON.
"""
import argparse
import collections
import gzip
import io
import json
import resource
import time
import uuid

import numpy as np
from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic
from PIL import Image

FASHION_MNIST = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
RAW_HEADERS = [("content-type", b"application/x-raw-pixels"), ("width", b"28"), ("height", b"28"),
               ("channels", b"1")]
PNG_HEADERS = [("content-type", b"image/png")]


def fashion_mnist(path):
    with gzip.open(path) as f:
        data = f.read()
    count, rows, cols = (int.from_bytes(data[i:i + 4], "big") for i in (4, 8, 12))
    return np.frombuffer(data, dtype=np.uint8, offset=16).reshape(count, rows, cols)


def events(encoding, images):
    """Payloads and their headers, encoded before any clock starts."""
    if encoding == "raw":
        return [image.tobytes() for image in images], RAW_HEADERS
    payloads = []
    for image in images:
        out = io.BytesIO()
        Image.fromarray(image, mode="L").save(out, format="PNG")
        payloads.append(out.getvalue())
    return payloads, PNG_HEADERS


def produce(producer, topic, keys, payloads, headers, malformed):
    """Sends keys[i] with payloads[i % len]; every len(keys) / malformed-th one is broken. Returns delivery failures."""
    failures = []

    def delivered(err, _msg):
        if err is not None:
            failures.append(str(err))

    step = len(keys) // malformed if malformed else 0
    for i, key in enumerate(keys):
        value = payloads[i % len(payloads)]
        if step and i % step == step - 1:
            value = value[: len(value) // 2]  # a truncated PNG, or raw pixels that do not fill 28x28
        while True:
            try:
                producer.produce(topic, value=value, key=key, headers=headers, on_delivery=delivered)
                break
            except BufferError:
                producer.poll(0.005)
        producer.poll(0)
    producer.flush()
    return failures


def assigned(bootstrap, topics, start):
    """A consumer holding every partition of topics from the end (start='end') or the beginning, no group wait."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "user-client-" + uuid.uuid4().hex[:8],
                         "enable.auto.commit": False, "fetch.max.bytes": 16 << 20})
    partitions = []
    for topic in topics:
        meta = consumer.list_topics(topic, timeout=10).topics[topic]
        for p in meta.partitions:
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
            partitions.append(TopicPartition(topic, p, high if start == "end" else low))
    consumer.assign(partitions)
    return consumer


def burst(opts, payloads, headers):
    run = uuid.uuid4().hex[:8]
    keys = [f"{run}-{i}" for i in range(opts.count)]
    reads = [opts.output] + ([opts.dead_letters] if opts.dead_letters else [])
    consumer = assigned(opts.bootstrap, reads, "end")
    producer = Producer({"bootstrap.servers": opts.bootstrap})
    started = time.time()
    failures = produce(producer, opts.topic, keys, payloads, headers, opts.malformed)
    produced = time.time() - started
    seen = collections.Counter()
    reasons = collections.Counter()
    last = started
    deadline = time.time() + opts.timeout
    while len(seen) < opts.count and time.time() < deadline:
        for record in consumer.consume(num_messages=1000, timeout=0.1):
            if record.error() or not record.key() or not record.key().startswith(run.encode()):
                continue
            seen[record.key()] += 1
            last = time.time()
            if record.topic() == opts.dead_letters:
                reasons[dict(record.headers() or []).get("reason", b"?").decode()] += 1
    consumer.close()
    seconds = last - started
    return {"mode": "burst", "encoding": opts.encoding, "topic": opts.topic, "images": opts.count,
            "produce_per_s": round(opts.count / produced), "seconds": round(seconds, 2),
            "per_s": round(len(seen) / seconds, 1), "accounted": len(seen), "missing": opts.count - len(seen),
            "duplicates": sum(n - 1 for n in seen.values()), "dead_letters": dict(reasons),
            "delivery_failures": len(failures)}


def ceiling(opts, payloads, headers):
    topic = "ceiling-" + uuid.uuid4().hex[:8]
    admin = AdminClient({"bootstrap.servers": opts.bootstrap})
    for future in admin.create_topics([NewTopic(topic, opts.partitions, 1,
                                                config={"max.message.bytes": str(8 << 20)})]).values():
        future.result()
    keys = [f"ceiling-{i}" for i in range(opts.count)]
    producer = Producer({"bootstrap.servers": opts.bootstrap})
    started = time.time()
    failures = produce(producer, topic, keys, payloads, headers, 0)
    produced = time.time() - started
    consumer = assigned(opts.bootstrap, [topic], "beginning")
    read = 0
    deadline = time.time() + opts.timeout
    while read < opts.count and time.time() < deadline:
        read += sum(1 for r in consumer.consume(num_messages=1000, timeout=0.1) if not r.error())
    seconds = time.time() - started
    consumer.close()
    admin.delete_topics([topic])
    return {"mode": "ceiling", "encoding": opts.encoding, "partitions": opts.partitions, "images": opts.count,
            "produce_per_s": round(opts.count / produced), "read": read,
            "read_per_s": round(read / (seconds - produced)), "seconds": round(seconds, 2),
            "per_s": round(read / seconds, 1), "delivery_failures": len(failures)}


def main():
    args = argparse.ArgumentParser()
    args.add_argument("--bootstrap", required=True)
    args.add_argument("--encoding", choices=["raw", "png"], required=True)
    args.add_argument("--count", type=int, default=100_000)
    args.add_argument("--topic", default="images")
    args.add_argument("--output", default="predictions")
    args.add_argument("--dead-letters", default="images-dlq", help="empty: read predictions only")
    args.add_argument("--malformed", type=int, default=0, help="broken payloads among the burst")
    args.add_argument("--partitions", type=int, default=4, help="ceiling: the new topic's partitions")
    args.add_argument("--timeout", type=float, default=600)
    args.add_argument("--data", default=FASHION_MNIST)
    args.add_argument("mode", choices=["burst", "ceiling"])
    opts = args.parse_args()
    payloads, headers = events(opts.encoding, fashion_mnist(opts.data))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    encoding_cpu = usage.ru_utime + usage.ru_stime  # start-up and encoding are not the burst's
    result = (burst if opts.mode == "burst" else ceiling)(opts, payloads, headers)
    result["mean_payload_bytes"] = round(sum(map(len, payloads)) / len(payloads))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["client_cpu_s"] = round(usage.ru_utime + usage.ru_stime - encoding_cpu, 2)
    print("RESULT " + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
