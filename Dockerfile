# syntax=docker/dockerfile:1
# Multi-stage image: build with dev dependencies, ship dist/ with production dependencies only,
# running as a non-root user. No native modules (pg is pure JS, PGlite is WASM), so Alpine works.

FROM node:24-alpine AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
COPY tsconfig.json tsconfig.build.json ./
COPY hack/copy-assets.mjs hack/
COPY src src
RUN npx tsc -p tsconfig.build.json && node hack/copy-assets.mjs

FROM node:24-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error && npm cache clean --force

FROM node:24-alpine
LABEL org.opencontainers.image.title="alert-history" \
      org.opencontainers.image.description="Durable alert history, classification and publishing behind Prometheus Alertmanager" \
      org.opencontainers.image.licenses="Apache-2.0"
# Heap bounds keep RSS within the 256 MB budget under load (docs/benchmarks.md); raise
# --max-old-space-size with the container's memory limit if you raise webhook.maxBodyBytes.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=256 --max-semi-space-size=8" \
    SERVER_PORT=8080 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules node_modules
COPY --from=build /src/dist dist
COPY package.json ./
COPY config/config.example.yaml config/config.example.yaml
RUN addgroup -S -g 10001 app && adduser -S -u 10001 -G app app && mkdir -p /data && chown app:app /data
USER 10001:10001
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.SERVER_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["serve"]
