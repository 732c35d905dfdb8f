# The graph service of every tfserving-backed model, written once: TF Serving with the model's
# SavedModel versions baked in. `nx container <app>` builds it as <app>-graph:
#   docker build -f tools/images/tfserving-graph.Dockerfile --build-arg MODEL=<model> -t <app>-graph .
# Pinned so that a graph image is reproducible; bump deliberately (it rebuilds every graph image).
FROM tensorflow/serving:2.18.0
ARG MODEL
COPY models/${MODEL} /models/${MODEL}
# At a fixed path, so that CMD (exec form: no variables) names it for every model.
COPY models/${MODEL}/models.config /models/models.config
ENV MODEL_CONFIG_FILE=/models/models.config
EXPOSE 8500 8501
# The image's entrypoint passes these on to tensorflow_model_server (gRPC 8500, REST 8501);
# with a config file it ignores its --model_name/--model_base_path defaults.
CMD ["--model_config_file=/models/models.config", "--model_config_file_poll_wait_seconds=60"]
