# RaidHub Services image: one image for every app and tool; the command picks which runs.
#   docker build -t raidhub .
#   docker run --rm -e DATABASE_URL=... raidhub                       # atlas (default)
#   docker run --rm -e DATABASE_URL=... raidhub bun src/tools/migrate.ts

ARG BUN_VERSION=1.4.5
ARG NODE_VERSION=22

# Dependencies are installed with npm from package-lock.json (the lockfile of record), exactly
# like `npm ci`, without dev dependencies: the runtime image already is Bun.
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM oven/bun:${BUN_VERSION}-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    DATA_DIR=/app/.data
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json bunfig.toml ./
COPY src ./src
COPY workers ./workers
COPY sql ./sql
COPY clickhouse ./clickhouse
COPY ops/schedule ./ops/schedule
# The oven/bun image ships an unprivileged `bun` user (uid 1000); never run as root.
RUN mkdir -p /app/.data && chown -R bun:bun /app/.data
USER bun
EXPOSE 8080 8081 8082 8083
CMD ["bun", "src/apps/atlas/main.ts"]
