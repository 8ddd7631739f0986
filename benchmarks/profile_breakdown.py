#!/usr/bin/env python3
"""Where DL4J's training time goes: reads an async-profiler collapsed-stack file of a TrainBenchmark run
(event=cpu, threads) and prints a Markdown table of CPU samples by layer/op category. Used for BENCHMARKS.md,
issue 7:

    OMP_NUM_THREADS=2 ./mvnw -B test -Dtest=TrainBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
        -Dbench.images=20000 \
        "-DargLine=-agentpath:/tmp/ap/linux-x64/libasyncProfiler.so=start,event=cpu,interval=1ms,threads,collapsed,file=/tmp/train.collapsed"
    python3 benchmarks/profile_breakdown.py /tmp/train.collapsed

(libasyncProfiler.so is in Maven Central's tools.profiler:async-profiler:3.0 jar, linux-x64/.)

Training samples are the benchmark's main thread inside Trainer.epoch (every layer runs there; ND4J's and
OpenBLAS's worker threads are counted apart). Each sample goes to the first category whose frame pattern
appears in its stack, so im2col's own copies count as im2col, a ReLU inside a conv layer as activation.
"""
import collections
import re
import sys

# (category, pattern searched in the whole stack), first match wins
CATEGORIES = [
    # activations first: with oneDNN helpers the ReLU after a convolution runs inside MKLDNNConvHelper.activate
    ("activations (ReLU, softmax; forward + derivative)", r"org/nd4j/linalg/activations/"),
    # oneDNN layer helpers (the default since issue 12): convolution, pooling and batch norm as oneDNN primitives
    ("conv in oneDNN (MKLDNNConvHelper: forward, backward data + weights)", r"MKLDNNConvHelper"),
    ("max-pooling in oneDNN (MKLDNNSubsamplingHelper)", r"MKLDNNSubsamplingHelper"),
    ("batch norm in oneDNN (MKLDNNBatchNormHelper)", r"MKLDNNBatchNormHelper"),
    ("batch norm, DL4J's own", r"normalization/BatchNormalization"),
    # libnd4j's im2col op first zero-fills its output, here a permuted (strided) 6-D view, element by element
    ("conv forward: im2col, zero-filling the column buffer", r"Convolution\.im2col.*CopyPws"),
    ("conv forward: im2col, the gather itself", r"Convolution\.im2col"),
    ("conv backprop: col2im", r"Convolution\.col2im"),
    ("GEMM in conv layers (OpenBLAS sgemm)", r"ConvolutionLayer.*(gemm|mmul)"),
    ("GEMM in dense/output layers (OpenBLAS sgemm)", r"(BaseLayer|OutputLayer).*(gemm|mmul)"),
    ("dropout (mask + apply, both directions)", r"dropout/Dropout|DropoutLayer"),
    ("max-pooling (forward + backprop)", r"SubsamplingLayer"),
    ("conv other: bias add/sum, layout copies (permute + assign)", r"ConvolutionLayer"),
    ("updater (Adam) and gradient view", r"nn/updater/|linalg/learning/"),
    ("loss, score, output layer rest", r"lossfunctions|OutputLayer|computeScore"),
    ("dense layer rest (bias add/sum)", r"layers/BaseLayer"),
    ("data feeding (main thread: take batch)", r"AsyncDataSetIterator|dev/svertka/data|ImageBatches"),
    ("workspaces, JavaCPP pointers, other Java", r"."),
]
# thread synchronisation inside an op: OpenMP (libgomp) and OpenBLAS spinning, yielding, being rescheduled
SYNC = re.compile(r"libgomp|sched_yield|finish_task_switch|__schedule|do_syscall_64|blas_thread_server")


def main(path):
    by_category = collections.Counter()
    sync_by_category = collections.Counter()
    other_threads = collections.Counter()
    total_process = 0
    for line in open(path, encoding="utf-8", errors="replace"):
        stack, count = line.rstrip("\n").rsplit(" ", 1)
        count = int(count)
        total_process += count
        frames = stack.split(";")
        thread = re.sub(r"\s*tid=\d+", "", frames[0].strip("[]")) or "unnamed native thread"
        if not (thread == "main" and "dev/svertka/train/Trainer.epoch" in stack):
            other_threads[thread_kind(thread, stack)] += count
            continue
        category = next(name for name, pattern in CATEGORIES if re.search(pattern, stack))
        by_category[category] += count
        if SYNC.search(frames[-1]) or any(SYNC.search(f) for f in frames[-3:]):
            sync_by_category[category] += count
    training = sum(by_category.values())
    print(f"main thread in Trainer.epoch: {training:,} samples; all threads, whole JVM: {total_process:,}\n")
    print("| category | share of training (main thread) | of which thread sync (OpenMP/OpenBLAS spin, yield) |")
    print("|---|---|---|")
    for name, _ in CATEGORIES:
        if by_category[name]:
            print(f"| {name} | {100 * by_category[name] / training:.1f} % | "
                  f"{100 * sync_by_category[name] / training:.1f} % |")
    sync = sum(sync_by_category.values())
    print(f"| **total** | 100 % | {100 * sync / training:.1f} % |")
    print("\nOther threads, whole JVM run (start-up, evaluation included), samples relative to the training ones:\n")
    for kind, count in other_threads.most_common():
        print(f"- {kind}: {count:,} ({100 * count / training:.1f} %)")


def thread_kind(thread, stack):
    if thread == "main":
        return "main thread outside the epoch (start-up, data loading, evaluation)"
    if "GC Thread" in thread or "G1 " in thread or thread == "VM Thread":
        return "GC and VM threads"
    if "Compiler" in thread:
        return "JIT compiler threads"
    if "prefetch" in thread:
        return "prefetch thread (batch building: bytes to floats, one-hot)"
    if "libgomp" in stack or "blas_thread_server" in stack or "libopenblas" in stack or "libnd4j" in stack:
        return "OpenMP / OpenBLAS worker threads"
    return "other threads (" + thread + ")"


if __name__ == "__main__":
    main(sys.argv[1])
