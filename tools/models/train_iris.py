"""Iris species from the four flower measurements: a small ReLU MLP, exported as plain ONNX."""
import json
import os
import sys

import numpy as np
import onnx
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from onnx_graphs import mlp_graph
from references import write_reference

FIELDS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def main(data_path, out_dir):
    with open(data_path, encoding="utf-8") as f:
        data = json.load(f)
    X = np.array(data["X"], dtype=np.float64)
    y = np.array(data["y"])
    scaler = StandardScaler().fit(X)
    mlp = MLPClassifier(hidden_layer_sizes=(16,), activation="relu", max_iter=3000, random_state=0).fit(scaler.transform(X), y)
    accuracy = float((mlp.predict(scaler.transform(X)) == y).mean())

    model = mlp_graph(scaler, mlp, len(FIELDS), "iris_mlp")
    onnx.checker.check_model(model)
    vdir = os.path.join(out_dir, "1")
    os.makedirs(vdir, exist_ok=True)
    onnx.save(model, os.path.join(vdir, "model.onnx"))

    probabilities = mlp.predict_proba(scaler.transform(X))
    write_reference(
        os.path.join(vdir, "reference.json"),
        [dict(zip(FIELDS, map(float, row))) for row in X],
        {
            "probabilities": probabilities.tolist(),
            # The graph's `class` output is the argmax index into these class names.
            "class": [int(i) for i in probabilities.argmax(axis=1)],
            "classes": [str(c) for c in mlp.classes_],
        },
    )
    print(f"iris v1: MLP(16), training accuracy {accuracy:.3f}, classes {list(mlp.classes_)}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
