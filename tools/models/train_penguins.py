"""Penguin species from vega-datasets' penguins table, two versions.

v1: LogisticRegression after mean imputation + standard scaling of the numbers and
one-hot of island and sex. v2: RandomForest after the same, without the scaling: trees
do not need it, and with it the float32 Scaler in ONNX lands a value or two ulps away from
scikit-learn's float64-then-float32 one, which flips a split that sits half an ulp from a
training value (seen on 2 of 347 records). Unscaled, both sides compare the same float32.
Missing values follow the runtime's contract: a missing number is NaN, a missing
string is "" (an unknown category, all zeros after one-hot).
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import helper
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from onnx_graphs import (classifier_outputs, column_inputs, linear_classifier_node, make_model,
                         preprocessing_nodes, tree_ensemble_classifier_node)
from references import write_reference

# Model input name → the dataset's own field name.
NUMERIC = {
    "bill_length_mm": "Beak Length (mm)",
    "bill_depth_mm": "Beak Depth (mm)",
    "flipper_length_mm": "Flipper Length (mm)",
    "body_mass_g": "Body Mass (g)",
}
CATEGORICAL = {"island": "Island", "sex": "Sex"}
TARGET = "Species"


def features(records):
    """Records → the two arrays the pipeline takes, under the missing-value contract."""
    numbers = np.array([[np.nan if r[f] is None else r[f] for f in NUMERIC.values()] for r in records], dtype=np.float64)
    strings = np.array([["" if r[f] is None else r[f] for f in CATEGORICAL.values()] for r in records], dtype=object)
    return np.concatenate([numbers, strings], axis=1)


def pipeline(classifier, scale):
    n = len(NUMERIC)
    numbers = [("impute", SimpleImputer(strategy="mean"))] + ([("scale", StandardScaler())] if scale else [])
    pre = ColumnTransformer(
        [
            ("num", Pipeline(numbers), list(range(n))),
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), list(range(n, n + len(CATEGORICAL)))),
        ],
        sparse_threshold=0,
    )
    return Pipeline([("pre", pre), ("clf", classifier)])


def to_onnx(fitted, name):
    pre = fitted.named_steps["pre"]
    num = pre.named_transformers_["num"]
    nodes, initializers, feats = preprocessing_nodes(
        list(NUMERIC), list(CATEGORICAL), num.named_steps["impute"], num.named_steps.get("scale"), pre.named_transformers_["cat"],
    )
    clf = fitted.named_steps["clf"]
    head = linear_classifier_node(feats, clf) if isinstance(clf, LogisticRegression) else tree_ensemble_classifier_node(feats, clf)
    graph = helper.make_graph(nodes + [head], name, column_inputs(list(NUMERIC), list(CATEGORICAL)), classifier_outputs(len(clf.classes_)), initializers)
    model = make_model(graph)
    onnx.checker.check_model(model)
    return model


def main(data_path, out_dir):
    with open(data_path, encoding="utf-8") as f:
        rows = json.load(f)
    records = [{k: v for k, v in r.items() if k != TARGET} for r in rows]
    y = np.array([r[TARGET] for r in rows])
    X = features(records)

    # Cases the dataset lacks: an island never seen in training, and every number missing.
    extra = [
        {"Island": "Atlantis", "Beak Length (mm)": 47.0, "Beak Depth (mm)": 15.0, "Flipper Length (mm)": 215, "Body Mass (g)": 5200, "Sex": "MALE"},
        {"Island": "Dream", "Beak Length (mm)": None, "Beak Depth (mm)": None, "Flipper Length (mm)": None, "Body Mass (g)": None, "Sex": "FEMALE"},
        {"Island": "Biscoe", "Beak Length (mm)": 38.5, "Beak Depth (mm)": None, "Flipper Length (mm)": 190, "Body Mass (g)": None, "Sex": None},
    ]
    reference_records = records + extra
    X_ref = features(reference_records)

    versions = {
        1: LogisticRegression(C=1.0, max_iter=1000),
        2: RandomForestClassifier(n_estimators=20, max_depth=5, random_state=0, n_jobs=1),
    }
    for version, classifier in versions.items():
        fitted = pipeline(classifier, scale=isinstance(classifier, LogisticRegression)).fit(X, y)
        accuracy = float((fitted.predict(X) == y).mean())
        vdir = os.path.join(out_dir, str(version))
        os.makedirs(vdir, exist_ok=True)
        onnx.save(to_onnx(fitted, f"penguins_v{version}"), os.path.join(vdir, "model.onnx"))
        write_reference(
            os.path.join(vdir, "reference.json"),
            reference_records,
            {"label": [str(v) for v in fitted.predict(X_ref)], "probabilities": fitted.predict_proba(X_ref).tolist()},
        )
        print(f"penguins v{version}: {type(classifier).__name__}, training accuracy {accuracy:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
