# The graph service of every scikit-learn model paired with MLServer (--backend v2 --graph
# mlserver), written once: Seldon's MLServer with its scikit-learn runtime and the model's folder
# (model-settings.json beside the version folders) baked in. Listens on 8000/8001 like every v2
# graph service here, so one Kubernetes component (tools/k8s/graph-v2) pairs them.
#   docker build -f tools/images/mlserver-graph.Dockerfile --build-arg MODEL=<model> -t <app>-graph .
# Pinned so that a graph image is reproducible; bump deliberately.
FROM seldonio/mlserver:1.6.1-sklearn
ARG MODEL
COPY models/${MODEL} /models/${MODEL}
ENV MLSERVER_HTTP_PORT=8000 MLSERVER_GRPC_PORT=8001 MLSERVER_MODELS_DIR=/models
EXPOSE 8000 8001
CMD ["mlserver", "start", "/models"]
