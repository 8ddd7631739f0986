# syntax=docker/dockerfile:1
# Svertka: two images from one build; the command picks the role (serve, trainer, train, demo, ...).
#   docker build --target inference -t svertka .                               # serve, send, registry: no DL4J/ND4J
#   docker build --target trainer -t svertka-trainer .                         # every command, CPU training
#   docker build --target trainer --build-arg BACKEND=cuda -t svertka-cuda .   # GPU trainer (ND4J on CUDA 11.6)
#   docker build --target trainer --build-arg ND4J_NATIVES=linux-x86_64 -t svertka-trainer .   # CPUs without AVX2
#   docker build --target inference --build-arg BACKEND=cuda-inference -t svertka-gpu .   # serve on GPUs (CUDA 12)
#   docker run --rm svertka-trainer demo
#   docker run --rm -p 8080:8080 -e KAFKA_BOOTSTRAP_SERVERS=kafka:9092 -e SVERTKA_SERVE_MODEL=fashion \
#       -v registry:/registry svertka serve
# Without --target the trainer image is built (the last stage): a plain `docker build .` still gives the image
# that runs every command, as it did when there was one image.

# BACKEND selects both the Maven build (cuda: the -Pcuda profile; cuda-inference: ONNX Runtime's GPU build,
# -Pgpu-inference) and the runtime base below, so a CUDA build can never end up on a base without CUDA, nor a
# CPU build on a CUDA base.
ARG BACKEND=cpu

FROM eclipse-temurin:17-jdk-jammy AS build
ARG BACKEND
# ND4J's CPU natives: empty keeps the pom's default (oneDNN + AVX2, which trains 2.6x faster: BENCHMARKS.md
# issue 12); linux-x86_64-onednn (no AVX2) or linux-x86_64 (plain) for older CPUs
ARG ND4J_NATIVES=
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY src/ src/
# The cache mount keeps Maven's repository between builds without putting it in a layer; the
# tests run in CI (./mvnw verify), the image build only compiles and packages.
# A cuda build must really contain the CUDA backend: Maven only warns about an unknown profile.
RUN --mount=type=cache,target=/root/.m2 \
    case "$BACKEND" in \
      cpu) profile= ;; \
      cuda) profile=-Pcuda ;; \
      cuda-inference) profile=-Pcpu,gpu-inference ;; \
      *) echo "BACKEND must be cpu, cuda or cuda-inference, not '$BACKEND'" >&2; exit 1 ;; \
    esac \
 && ./mvnw -B -q package -Dmaven.test.skip=true $profile ${ND4J_NATIVES:+-Dnd4j.native.classifier=$ND4J_NATIVES} \
 && if [ "$BACKEND" = cuda ] && ! ls target/quarkus-app/lib/main | grep -q '^org\.nd4j\.nd4j-cuda-'; then \
      echo "BACKEND=cuda but no nd4j-cuda jar in target/quarkus-app/lib/main: check the cuda profile in pom.xml" >&2; \
      exit 1; \
    fi \
 && if [ "$BACKEND" = cuda-inference ] && ! ls target/inference-app/lib/main | grep -q 'onnxruntime_gpu'; then \
      echo "BACKEND=cuda-inference but no onnxruntime_gpu jar in target/inference-app: check the gpu-inference profile" >&2; \
      exit 1; \
    fi

# The runtime bases, one per BACKEND value: a slim JRE 17, or NVIDIA's CUDA 11.6 + cuDNN 8 runtime
# (what nd4j-cuda-11.6 links against) with the same Temurin JRE copied in.
FROM eclipse-temurin:17-jre-jammy AS runtime-cpu

FROM nvidia/cuda:11.6.2-cudnn8-runtime-ubuntu20.04 AS runtime-cuda
ENV JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/java/openjdk/bin:$PATH \
    LANG=C.UTF-8
COPY --from=eclipse-temurin:17-jre-jammy /opt/java/openjdk /opt/java/openjdk
# the cuda profile ships ND4J built with and without cuDNN; JavaCPP loads the cuDNN build with this
ENV JDK_JAVA_OPTIONS="-Djavacpp.platform.extension=-cudnn"

# ONNX Runtime 1.24's CUDA provider links against CUDA 12 and cuDNN 9: the GPU inference image's base
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 AS runtime-cuda-inference
ENV JAVA_HOME=/opt/java/openjdk \
    PATH=/opt/java/openjdk/bin:$PATH \
    LANG=C.UTF-8
COPY --from=eclipse-temurin:17-jre-jammy /opt/java/openjdk /opt/java/openjdk
# serve on the GPU; a pod without one still serves, on the CPU, and its log says why
ENV SVERTKA_SERVE_EXECUTION_PROVIDER=CUDA

# What both images share: the base, the user, the environment and the entry point.
FROM runtime-${BACKEND} AS runtime
ARG BACKEND
LABEL org.opencontainers.image.description="Svertka: train CNN image classifiers and serve them on Kafka" \
      dev.svertka.backend="${BACKEND}"
# A fixed numeric uid, so Kubernetes' runAsNonRoot can check it. The application files stay owned
# by root (read-only for the process); it writes only to /registry, its home (caches such as
# DL4J's; training runs: metrics, checkpoints, reports) and /tmp, where JavaCPP and ONNX Runtime
# unpack their native libraries.
# fontconfig (with FreeType and a font): Java2D draws text for the synthetic digits and the
# training reports; the Temurin base has it, NVIDIA's CUDA base does not.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends fontconfig \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 svertka \
 && useradd --uid 10001 --gid 10001 --create-home --home-dir /home/svertka --shell /usr/sbin/nologin svertka \
 && mkdir /registry && chown 10001:10001 /registry
WORKDIR /app
USER 10001:10001
# The JVM sizes itself from the container's limits (JDK 17 is container-aware): the heap gets half
# of the memory limit, the other half is left to native memory (ONNX Runtime sessions, ND4J
# arrays); an OutOfMemoryError ends the process so that the orchestrator restarts it.
# OMP_WAIT_POLICY=PASSIVE: ND4J's OpenMP threads sleep at barriers instead of spinning, which doubles
# CPU training speed when the cores are shared (BENCHMARKS.md, issue 7)
ENV SVERTKA_SERVE_REGISTRY=/registry \
    SVERTKA_TRAINER_RUNS=/home/svertka/runs \
    OMP_WAIT_POLICY=PASSIVE \
    JAVA_OPTS="-XX:MaxRAMPercentage=50 -XX:+ExitOnOutOfMemoryError -Dorg.bytedeco.javacpp.cachedir=/tmp/javacpp"
# HTTP for the server roles (serve, trainer): health, metrics, REST
EXPOSE 8080
# exec: java becomes PID 1 and receives SIGTERM itself, so shutdown drains gracefully
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/quarkus-run.jar \"$@\"", "svertka"]
CMD ["--help"]

# The inference role: the app without DL4J, ND4J and JavaCPP (target/inference-app, a third of the jars'
# size); the commands that train say that they need the trainer image. BACKEND=cpu serves on the CPU,
# cuda-inference on GPUs (ONNX Runtime's CUDA provider); a cuda build (-Pcuda) makes the trainer's app alone.
FROM runtime AS inference
LABEL org.opencontainers.image.title="svertka"
# Only the Quarkus fast-jar layout; dependencies first, so a code change rebuilds thin layers.
COPY --from=build /src/target/inference-app/lib/ lib/
COPY --from=build /src/target/inference-app/quarkus-run.jar ./
COPY --from=build /src/target/inference-app/app/ app/
COPY --from=build /src/target/inference-app/quarkus/ quarkus/

# Every role, training included (trainer service, train Jobs, demo), on the BACKEND's ND4J.
FROM runtime AS trainer
LABEL org.opencontainers.image.title="svertka-trainer"
COPY --from=build /src/target/quarkus-app/lib/ lib/
COPY --from=build /src/target/quarkus-app/quarkus-run.jar ./
COPY --from=build /src/target/quarkus-app/app/ app/
COPY --from=build /src/target/quarkus-app/quarkus/ quarkus/
