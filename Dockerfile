# holdfast container image. Two stages: the builder compiles the native modules (better-sqlite3)
# and the bundle (dist/holdfast.mjs, dist/web), then drops the dev dependencies; the final image
# has Node 20, the production node_modules, the bundle and the themes: no compiler, no npm cache,
# no sources. It runs as the unprivileged `node` user (uid 1000) and keeps the embedded store in
# the /data volume. Build: docker build -t holdfast .   Run: see README "Packaging".
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS builder
# Build tools for node-gyp, for native modules that have no prebuilt binary for this platform.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=builder /build/package.json /build/package-lock.json ./
COPY --from=builder /build/node_modules ./node_modules
COPY --from=builder /build/dist ./dist
COPY --from=builder /build/themes ./themes
COPY --from=builder /build/bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
# 8080: the public port; 9000: the management interface (health, metrics), keep it private.
EXPOSE 8080 9000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9000/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/holdfast.mjs"]
# `start` needs the public URL: -e HOLDFAST_HOSTNAME=https://id.example.com (or --hostname).
CMD ["start", "--data-dir", "/data", "--http-port", "8080", "--http-management-port", "9000"]
