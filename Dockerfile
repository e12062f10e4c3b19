# syntax=docker/dockerfile:1
# Shoptalk's image: compiled JavaScript on Node 22 (LTS), production dependencies only, run as the image's
# non-root `node` user. The build steps are scripts/docker-build.sh, which CI also runs outside Docker
# (scripts/check-docker-steps.sh). Data (SQLite and its master key, when no DATABASE_URL is set) lives in /data.
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
# Compilers for native modules (better-sqlite3, msgpackr-extract) where no prebuilt binary matches.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
COPY scripts/docker-build.sh scripts/docker-build.sh
RUN scripts/docker-build.sh deps
COPY . .
RUN scripts/docker-build.sh build && scripts/docker-build.sh assemble /app

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    SHOPTALK_DATA_DIR=/data
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 CMD ["node", "scripts/healthcheck.mjs"]
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["start"]
