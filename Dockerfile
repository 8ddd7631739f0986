# Svertka: one image for every role; the command picks it (serve, train, demo, ...).
#   docker build -t svertka .
#   docker run --rm svertka demo
#   docker run --rm -e KAFKA_BOOTSTRAP_SERVERS=kafka:9092 -e SVERTKA_SERVE_MODEL=fashion \
#       -v registry:/registry svertka serve
# GPU trainer image (CUDA backend) comes with the trainer issue.

FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q dependency:go-offline
COPY src src
RUN ./mvnw -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --uid 10001 --no-create-home --shell /usr/sbin/nologin svertka \
    && mkdir /registry && chown 10001 /registry
WORKDIR /app
# the Quarkus fast-jar layout, dependencies first so code changes rebuild one thin layer
COPY --from=build --chown=10001 /src/target/quarkus-app/lib/ lib/
COPY --from=build --chown=10001 /src/target/quarkus-app/quarkus-run.jar ./
COPY --from=build --chown=10001 /src/target/quarkus-app/app/ app/
COPY --from=build --chown=10001 /src/target/quarkus-app/quarkus/ quarkus/
USER 10001
ENV SVERTKA_SERVE_REGISTRY=/registry \
    JAVA_OPTS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /app/quarkus-run.jar \"$@\"", "svertka"]
CMD ["--help"]
