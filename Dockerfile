# syntax=docker/dockerfile:1
# One image per service, from this one file:
#   docker build --build-arg SERVICE=OrderService -t marketplace/order-service .
# SERVICE is one of OrderService, InventoryService, DeliveryService, NotificationService.
# Nothing secret is baked in: every credential comes from the environment at run time.

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---- build: a release build of one product, Swift's runtime and Foundation linked in.
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev librabbitmq-dev libssl-dev libcurl4-openssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Shared ./Shared
COPY Services ./Services
# SwiftPM checks every target's folder when it loads the manifest, test targets included.
COPY Tests ./Tests
ARG SERVICE
RUN test -n "$SERVICE" || { echo "--build-arg SERVICE=<OrderService|InventoryService|DeliveryService|NotificationService> is required" >&2; exit 1; }
# The build folder is a cache mount: dependencies and unchanged modules are not built again.
RUN --mount=type=cache,target=/src/.build \
    swift build -c release --product "$SERVICE" --static-swift-stdlib \
 && bin="$(swift build -c release --show-bin-path)" \
 && mkdir -p /out \
 && cp "$bin/$SERVICE" /out/service \
 && cp -R "$bin"/*.resources /out/

# ---- runtime: only the C libraries the services link, certificates for TLS, and curl for
# the compose health checks.
FROM ${RUNTIME_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 librabbitmq4 libssl3 libcurl4 libstdc++6 ca-certificates tzdata curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app
COPY --from=build --chown=root:root /out/ /app/
ARG SERVICE
LABEL org.opencontainers.image.title="marketplace-$SERVICE" \
      org.opencontainers.image.source="https://example.invalid/marketplace"
# The port is set per service through PORT (8081-8084); the image itself is the same program.
ENV HOST=0.0.0.0 LOG_LEVEL=info
USER 10001:10001
WORKDIR /app
# The service runs as PID 1 and handles SIGTERM itself: it stops taking requests, then drains.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/service"]
