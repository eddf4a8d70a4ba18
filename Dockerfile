# secretguard webhook image. Build: docker build -t secretguard .
# Node 24 is an LTS line (package.json engines: >=20.19). Pin the base by digest in your registry mirror.

# --- build: all dependencies, compile TypeScript ----------------------------------------------
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
RUN npx tsc -p tsconfig.json

# --- runtime: production dependencies and the compiled CLI only ------------------------------
# The image holds exactly what `npm pack` ships (package.json, README.md, dist/src) plus the lock
# file for `npm ci` and the production node_modules; test/dockerfile.test.ts checks this.
FROM node:24-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json README.md LICENSE ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts \
    && npm cache clean --force \
    && rm -rf /usr/local/lib/node_modules/npm /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /root/.npm
COPY --from=build /src/dist/src ./dist/src
# Numeric, so Kubernetes' runAsNonRoot can verify it (the chart runs as the same uid).
USER 65532:65532
EXPOSE 8443 8080
# Exec form: node runs as PID 1 and gets SIGTERM directly (graceful shutdown); no shell is involved.
# No HEALTHCHECK: Kubernetes probes /healthz and /readyz on the metrics port.
ENTRYPOINT ["node", "/app/dist/src/cli/main.js", "serve"]
