#!/usr/bin/env bash
# A short training run on a CUDA machine: builds Svertka with ND4J's CUDA backend (-Pcuda) and
# trains seed-cnn for one epoch on generated digits; the epoch line prints images/s and the log
# names the ND4J backend and device count. Needs an NVIDIA driver for CUDA 11.6 and cuDNN 8.
#   benchmarks/gpu-train.sh [PRESET] [IMAGES]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-seed-cnn}
images=${2:-60000}
./mvnw -B -q package -Pcuda -Dmaven.test.skip=true
JDK_JAVA_OPTIONS="-Djavacpp.platform.extension=-cudnn" java -jar target/quarkus-app/quarkus-run.jar train \
  --data "synthetic:${images}" --preset "$preset" --epochs 1 --batch-size 256 \
  --registry "$(mktemp -d)" --model gpu-check
