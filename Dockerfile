# syntax=docker/dockerfile:1
# One image for all six processes (gateway, the user, product, cart and order subgraphs, and the
# storefront: the SPA's production build, web/dist, served on port 5173 by
# gateway/dist/storefront-main.js). Pick the process with the SERVICE variable
# (gateway | user | product | cart | order | storefront) or by overriding the command, e.g.
# `node subgraphs/order/dist/main.js`.
#
#   docker build -t flashsale .                      # runtime image (production dependencies only)
#   docker build --target build -t flashsale-tools . # full toolchain: npm run seed / create-admin / db:migrate
#
# Migrations are compiled into each subgraph and run at start-up. In development (NODE_ENV not
# "production") missing secrets are generated once into KEYS_DIR (/keys): mount one shared volume
# there so every container uses the same keys. In production supply the secrets as variables.

# The current Node LTS line, as CI's second pass tests it. On node:20-bookworm-slim add python3,
# make and g++ to the deps stage: argon2's prebuilt binary crashes on Node 20.20 (seen on Debian 12),
# so its approved install script compiles it from source there.
ARG NODE_IMAGE=node:26-slim

# ---- dependencies (cached until a package.json or the lockfile changes)
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
COPY gateway/package.json gateway/
COPY subgraphs/platform/package.json subgraphs/platform/
COPY subgraphs/user/package.json subgraphs/user/
COPY subgraphs/product/package.json subgraphs/product/
COPY subgraphs/cart/package.json subgraphs/cart/
COPY subgraphs/order/package.json subgraphs/order/
COPY web/package.json web/
RUN npm ci

# ---- compile with tsc (decorator metadata is required by type-graphql and MikroORM), and build
# the storefront with Vite into web/dist (test/deploy/image.test.ts runs these npm steps)
FROM deps AS build
COPY . .
RUN npm run build
RUN npm run build:web
RUN mkdir -p /keys && chown node:node /keys && chmod 700 /keys

# ---- drop devDependencies
FROM build AS prune
RUN npm prune --omit=dev

# ---- runtime
FROM ${NODE_IMAGE} AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    KEYS_DIR=/keys \
    SERVICE=gateway
COPY --from=prune --chown=node:node /app /app
# The directory a fresh named volume copies its owner from: the node user must be able to write keys.
RUN mkdir -p /keys && chown node:node /keys && chmod 700 /keys
USER node
EXPOSE 4000 4001 4002 4003 4004 5173
STOPSIGNAL SIGTERM
# exec: node is PID 1's direct replacement, so SIGTERM reaches it and shutdown is graceful.
CMD ["sh", "-c", "case \"$SERVICE\" in gateway) exec node gateway/dist/main.js ;; user|product|cart|order) exec node \"subgraphs/$SERVICE/dist/main.js\" ;; storefront) exec node gateway/dist/storefront-main.js ;; *) echo \"SERVICE must be gateway, user, product, cart, order or storefront (got '$SERVICE')\" >&2; exit 64 ;; esac"]
