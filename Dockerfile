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
COPY hack/copy-assets.mjs hack/
COPY src src
RUN npx tsc -p tsconfig.build.json && node hack/copy-assets.mjs \
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
# No heap cap here: V8 sizes its heap from the container's memory limit. A low
# --max-old-space-size made PGlite's first start (initdb, WASM compile) spend seconds in GC.
ENV NODE_ENV=production \
    SERVER_PORT=8080 \
    DATA_DIR=/data
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.SERVER_PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["serve"]
