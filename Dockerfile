# radarwatch server image: builds the TypeScript once, then runs `radarwatch serve` as a non-root user with models mounted at /app/results/models.

# ---- build: all dependencies, compile src/ to dist/, then drop dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
# toolchain for native addons (better-sqlite3) in case no prebuilt binary matches
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# the build script stamps dist/ with the freshness rule bin/radarwatch.js checks (`npm ci` above had no src/ to build)
COPY scripts/build.ts ./scripts/build.ts
COPY bin ./bin
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: production node_modules, dist/, the page, the bin and the config ----
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    RADARWATCH_LOG=info
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
# the server serves the page from src/server/public relative to the package root (see src/server/app.ts)
COPY src/server/public ./src/server/public
COPY models.yml ./
# results/models (trained + calibrated: calibration.json) and datasets/processed are mounted read-only at run time;
# the service serves a country only when it has both, and scores every table once at start
RUN mkdir -p results/models datasets/processed && chown -R node:node results datasets
USER node
EXPOSE 8080
# the port opens only after every model is loaded and its table scored (a few seconds per country), hence the grace period
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/api/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/radarwatch.js", "serve", "--host", "0.0.0.0", "--port", "8080"]
