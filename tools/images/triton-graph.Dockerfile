# The graph service of every model paired with Triton (--backend v2 --graph triton), written once:
# NVIDIA's Triton Inference Server with the model's folder baked in as its model_repository
# entry (models/<model>/config.pbtxt beside the numbered version folders, as Triton lays them out).
# `nx container <app>` builds it as <app>-graph:
#   docker build -f tools/images/triton-graph.Dockerfile --build-arg MODEL=<model> -t <app>-graph .
# Pinned so that a graph image is reproducible; bump deliberately (it rebuilds every Triton graph image).
FROM nvcr.io/nvidia/tritonserver:24.12-py3
ARG MODEL
COPY models/${MODEL}/config.pbtxt /models/${MODEL}/config.pbtxt
COPY models/${MODEL} /models/${MODEL}
# 8000 REST (Open Inference Protocol v2 + binary tensors), 8001 gRPC, 8002 metrics.
EXPOSE 8000 8001 8002
# Explicit control is off: every model under /models loads at start; readiness waits for it.
CMD ["tritonserver", "--model-repository=/models", "--strict-readiness=true", "--exit-on-error=true"]
