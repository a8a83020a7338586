# syntax=docker/dockerfile:1
# Multi-stage image: compile with dev dependencies, prune to production dependencies, and ship
# dist/ plus the Node 24 binary on a slim Debian base, running as a non-root user with a read-only
# root filesystem (the only writable path is the /data volume). No native modules: pg is pure JS
# and PGlite is WASM.
# The bases are build arguments so a host without a registry can supply equivalents
# (make image builds them locally; see hack/build-image.sh). The runtime stage needs glibc and
# libstdc++ (what the official Node binary links against), nothing else.
ARG NODE_IMAGE=node:24-bookworm-slim
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY hack/copy-assets.mjs hack/pgdata-template.ts hack/
COPY src src
# The migrated empty data directory the service unpacks into a fresh volume instead of running
# initdb (about 1 s and 350 MB instead of 4 s and 1.1 GB; src/store/pglite-template.ts).
RUN npx tsc -p tsconfig.build.json && node hack/copy-assets.mjs \
 && DATA_DIR=/tmp/pgdata node --no-wasm-tier-up --no-wasm-dynamic-tiering dist/cli.js migrate \
 && node --no-wasm-tier-up --no-wasm-dynamic-tiering hack/pgdata-template.ts /tmp/pgdata && rm -rf /tmp/pgdata \
 && npm prune --omit=dev --no-audit --no-fund --loglevel=error \
 && cp "$(command -v node)" /node

FROM ${RUNTIME_IMAGE}
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="alert-history" \
      org.opencontainers.image.description="Durable alert history, classification and publishing behind Prometheus Alertmanager" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid 10001 --home-dir /app --no-create-home --shell /usr/sbin/nologin app \
 && mkdir -p /data && chown 10001:10001 /data
COPY --from=build /node /usr/local/bin/node
WORKDIR /app
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/dist dist
COPY package.json ./
COPY config/config.example.yaml config/config.example.yaml
# Heap bounds keep RSS within the 256 MB budget under load (docs/benchmarks.md); raise
# --max-old-space-size with the container's memory limit if you raise webhook.maxBodyBytes.
# They do not slow the first start (measured with and without: same start-to-ready).
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=256 --max-semi-space-size=8" \
    SERVER_PORT=8080 \
    DATA_DIR=/data
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.SERVER_PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
# PGlite's WASM stays on V8's baseline compiler: the optimizing compiler needs ~600 MB for one
# PostgreSQL function a few seconds after start, which a 384 MiB limit cannot hold
# (src/store/wasm-flags.ts). V8 options, so here and not in NODE_OPTIONS.
ENTRYPOINT ["node", "--no-wasm-tier-up", "--no-wasm-dynamic-tiering", "dist/cli.js"]
CMD ["serve"]
