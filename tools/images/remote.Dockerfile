# The image of every model app whose graph runs in a graph service (backends tfserving and v2),
# written once. Built from the workspace root after `nx build <app>` (`nx container <app>` does
# both, passing the build args):
#   docker build -f tools/images/remote.Dockerfile --build-arg APP=<app> --build-arg MODEL=<model> -t <app> .
# Changing this file rebuilds every such app (their `container` target has it as an input)
# and changes no file under apps/.

# Production dependencies of the runtime only; not bundled, because onnxruntime-node is native.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY libs/runtime/package.json libs/runtime/
COPY tools/plugin/package.json tools/plugin/
# The graph service runs the network: neither onnxruntime-node nor tfjs is needed in process.
RUN npm ci --omit=dev --no-audit --no-fund --workspace @modelyard/runtime \
 && rm -rf node_modules/onnxruntime-node node_modules/@tensorflow \
 && npm cache clean --force

FROM node:20-bookworm-slim
# APP: the folder under apps/ (its compiled dist); MODEL: the folder under models/ it serves.
ARG APP
ARG MODEL
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 MODELS_DIR=/models
WORKDIR /app
# package.json carries "type": "module" for the compiled app.
COPY --chown=node:node package.json ./
COPY --from=deps --chown=node:node /app/node_modules node_modules
COPY --chown=node:node libs/runtime/package.json libs/runtime/
COPY --chown=node:node libs/runtime/dist libs/runtime/dist
COPY --chown=node:node libs/runtime/proto libs/runtime/proto
COPY --chown=node:node apps/${APP}/dist service/
COPY --chown=node:node models/${MODEL} /models/${MODEL}
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/v2/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "service/main.js"]
