# The image of every yard (an app serving many models from one process), written once.
# Built from the workspace root after `nx build <yard>` (`nx container <yard>` does both):
#   docker build -f tools/images/yard.Dockerfile --build-arg APP=<yard> --build-arg MODELS=a,b,c -t <yard> .
# Same base, user, ports and health check as the per-backend recipes; it keeps every
# in-process backend (onnx and tfjs), since a yard may hold models of both kinds.

FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY libs/runtime/package.json libs/runtime/
COPY tools/plugin/package.json tools/plugin/
# onnxruntime-node ships binaries for every OS and CPU (~290 MB): keep linux/x64 only.
RUN npm ci --omit=dev --no-audit --no-fund --workspace @modelyard/runtime \
 && find node_modules/onnxruntime-node/bin -mindepth 2 -maxdepth 2 -type d ! -name linux -exec rm -rf {} + \
 && find node_modules/onnxruntime-node/bin -mindepth 3 -maxdepth 3 -type d ! -name x64 -exec rm -rf {} + \
 && npm cache clean --force

# Only the yard's own models (MODELS: comma-separated folder names under models/).
FROM node:20-bookworm-slim AS models
ARG MODELS
COPY models /all-models
RUN set -e; mkdir /models; for m in $(echo "$MODELS" | tr ',' ' '); do cp -r "/all-models/$m" /models/; done

FROM node:20-bookworm-slim
ARG APP
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 MODELS_DIR=/models
WORKDIR /app
COPY --chown=node:node package.json ./
COPY --from=deps --chown=node:node /app/node_modules node_modules
COPY --chown=node:node libs/runtime/package.json libs/runtime/
COPY --chown=node:node libs/runtime/dist libs/runtime/dist
COPY --chown=node:node libs/runtime/proto libs/runtime/proto
COPY --chown=node:node apps/${APP}/dist service/
COPY --from=models --chown=node:node /models /models
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/v2/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "service/main.js"]
