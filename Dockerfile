# syntax=docker/dockerfile:1
# Stage 1: the pinned OPA CLI from the official image.
FROM openpolicyagent/opa:1.22.3-static AS opa

# Stage 2: install dependencies (re2 and better-sqlite3 compile natively), build the policy bundle
# (the capabilities file is derived from the JS WASM SDK, so this step needs Node and opa), compile TypeScript.
# Each COPY brings only what the next step needs, so a source change reuses the npm ci layer.
FROM node:22-bookworm AS build
WORKDIR /app
COPY --from=opa /opa /usr/local/bin/opa
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/policy-build.mjs scripts/ensure-opa.mjs scripts/
COPY policies/ policies/
RUN OPA_BIN=/usr/local/bin/opa node scripts/policy-build.mjs --force
COPY proxy/ proxy/
COPY bench/ bench/
RUN npx tsc -p tsconfig.json && npm prune --omit=dev

# Stage 3: a slim runtime, non-root, with a health check. The CLIs run from the compiled JS
# (`npm run keys`, `npm run config:check`, `npm run audit:verify` go through scripts/cli.mjs).
# The root filesystem may be read-only: the gateway writes only under /app/data (a volume).
FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/node_modules node_modules/
COPY --from=build /app/dist dist/
COPY --from=build /app/policies/build/bundle.tar.gz policies/build/bundle.tar.gz
COPY package.json ./
COPY scripts/cli.mjs scripts/cli.mjs
COPY config/ config/
RUN mkdir -p /app/data && chown -R node:node /app/data
VOLUME ["/app/data"]
USER node
EXPOSE 8080
# A config on another port sets WORKJET_HEALTH_URL (e.g. -e WORKJET_HEALTH_URL=http://127.0.0.1:9090/healthz).
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD node -e "fetch(process.env.WORKJET_HEALTH_URL||'http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/proxy/main.js"]
# Listen on every interface inside the container, so `-p 8080:8080` reaches it.
CMD ["--config", "config/gateway.yaml", "--host", "0.0.0.0"]
