# The graph service of every scikit-learn model paired with KServe's model server
# (--backend v2 --graph kserve), written once: KServe's sklearn server, which answers the Open
# Inference Protocol v2 REST API, with the model's first version baked in. Listens on 8000/8001
# like every v2 graph service here, so one Kubernetes component (tools/k8s/graph-v2) pairs them.
#   docker build -f tools/images/kserve-graph.Dockerfile --build-arg MODEL=<model> -t <app>-graph .
# Pinned so that a graph image is reproducible; bump deliberately.
FROM kserve/sklearnserver:v0.14.1
ARG MODEL
ENV MODEL_NAME=${MODEL}
COPY models/${MODEL}/1 /mnt/models
EXPOSE 8000 8001
# Shell form: the model name comes from the build argument, through the environment.
CMD python -m sklearnserver --model_name="$MODEL_NAME" --model_dir=/mnt/models --http_port=8000 --grpc_port=8001
