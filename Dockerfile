# syntax=docker/dockerfile:1
# Multi-stage build: compile in the Rust image, run in a slim Debian with only the binary.
# `--build-arg FEATURES=postgres` builds the PostgreSQL store in (and adds libpq to both
# stages); the base images can be named too (deploy/build-image.sh builds them locally).
ARG RUST_IMAGE=rust:1.95-slim-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${RUST_IMAGE} AS build
ARG FEATURES=""
RUN if [ -n "$FEATURES" ]; then \
        apt-get update && apt-get install -y --no-install-recommends libpq-dev \
        && rm -rf /var/lib/apt/lists/*; \
    fi
WORKDIR /src
# Dependencies first, in their own layer, so a code change does not rebuild them.
COPY Cargo.toml Cargo.lock ./
RUN mkdir -p src tests/api bench \
    && echo 'fn main() {}' > src/main.rs \
    && echo 'fn main() {}' > bench/search_bench.rs \
    && echo 'fn main() {}' > bench/gen_corpus.rs \
    && touch src/lib.rs tests/api/main.rs \
    && cargo build --release --locked ${FEATURES:+--features "$FEATURES"} \
    && rm -rf src tests
COPY src src
COPY migrations migrations
# Make cargo see the real sources as newer than the placeholder build.
RUN touch src/main.rs src/lib.rs && cargo build --release --locked ${FEATURES:+--features "$FEATURES"}

FROM ${RUNTIME_IMAGE}
ARG FEATURES=""
# Webhooks to https endpoints verify certificates against the system's roots.
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates \
        ${FEATURES:+libpq5} \
    && rm -rf /var/lib/apt/lists/*
# A fixed non-root user that owns the data volume.
RUN useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin anbaa \
    && mkdir -p /data && chown anbaa:anbaa /data
COPY --from=build /src/target/release/anbaa /usr/local/bin/anbaa
USER anbaa
WORKDIR /data
VOLUME ["/data"]
ENV ANBAA_BIND=0.0.0.0:8080 \
    ANBAA_DB=/data/anbaa.db \
    RUST_LOG=info
EXPOSE 8080
# The image has no curl: the binary checks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["anbaa", "healthcheck", "--addr", "127.0.0.1:8080"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["anbaa"]
CMD ["serve"]
