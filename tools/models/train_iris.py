"""Iris species from four flower measurements: a one-layer ReLU MLP as plain ONNX.

The standardisation lives in the graph (Sub/Div), so callers send raw centimetres.

Usage: train_iris.py <iris.json from make-models.sh> <models/iris>
"""
import json
import os
import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

import onnx_graphs as g
from artifacts import save_model, write_reference

FIELDS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
SEED = 0


def pipeline():
    mlp = MLPClassifier(hidden_layer_sizes=(16,), activation="relu", max_iter=2000, random_state=SEED)
    return Pipeline([("scale", StandardScaler()), ("mlp", mlp)])


def main(data_path, out_dir):
    with open(data_path, encoding="utf-8") as f:
        data = json.load(f)
    X = np.array(data["X"], dtype=np.float64)
    y = np.array(data["y"])

    # A model that stopped before converging would be a poor example: fail loudly.
    warnings.simplefilter("error", ConvergenceWarning)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
    cv = cross_val_score(pipeline(), X, y, cv=folds).mean()
    fitted = pipeline().fit(X, y)
    scaler, mlp = fitted.named_steps["scale"], fitted.named_steps["mlp"]
    predicted = fitted.predict(X)
    train = (predicted == y).mean()

    version_dir = os.path.join(out_dir, "1")
    save_model(version_dir, g.make_model(g.mlp_graph("iris_mlp", "features", scaler, mlp), with_ml=False))
    classes = [str(c) for c in mlp.classes_]
    write_reference(
        version_dir,
        {
            "features": "tensor(float) [N, 4]: " + ", ".join(FIELDS) + " (cm), in that order",
            "class": "index into classes",
        },
        classes,
        [dict(zip(FIELDS, map(float, row))) for row in X],
        {
            "class": [classes.index(str(c)) for c in predicted],
            "probabilities": fitted.predict_proba(X).tolist(),
        },
    )
    print(f"iris v1: MLP(16) in {mlp.n_iter_} epochs, accuracy {train:.3f} on all {len(y)} rows, {cv:.3f} in 5-fold CV")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
