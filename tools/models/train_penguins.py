"""Penguin species from vega-datasets' penguins table: two versions of one pipeline.

    Pipeline([('pre', ColumnTransformer([
                 ('num', Pipeline([SimpleImputer(mean), StandardScaler()]), numeric),
                 ('cat', OneHotEncoder(handle_unknown='ignore'), categorical)])),
              ('clf', classifier)])

v1: multinomial LogisticRegression. v2: a small RandomForest, with the numbers cast to
float32 before imputation and after scaling (see onnx_graphs.numeric_block for why).

Usage: train_penguins.py <penguins.json> <models/penguins>
"""
import json
import os
import sys

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import RandomForestClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

import onnx_graphs as g
from artifacts import save_model, write_reference

# ONNX input → the dataset's own field, in the dataset's column order.
COLUMNS = {
    "island": ("Island", "string"),
    "bill_length_mm": ("Beak Length (mm)", "float"),
    "bill_depth_mm": ("Beak Depth (mm)", "float"),
    "flipper_length_mm": ("Flipper Length (mm)", "float"),
    "body_mass_g": ("Body Mass (g)", "float"),
    "sex": ("Sex", "string"),
}
NUMERIC = [c for c, (_, kind) in COLUMNS.items() if kind == "float"]
CATEGORICAL = [c for c, (_, kind) in COLUMNS.items() if kind == "string"]
TARGET = "Species"
# Values that say "unknown" rather than name a category: "" is how a missing string
# reaches the model, "." is what the dataset writes for one penguin of unknown sex.
# Left out of the categories, they one-hot to all zeros.
UNKNOWN = {"", "."}
SEED = 0

# Cases the dataset lacks, appended to the reference records.
EXTRA_RECORDS = [
    # An island never seen in training.
    {"Island": "Atlantis", "Beak Length (mm)": 47.0, "Beak Depth (mm)": 15.0, "Flipper Length (mm)": 215, "Body Mass (g)": 5200, "Sex": "MALE"},
    # Every number missing.
    {"Island": "Dream", "Beak Length (mm)": None, "Beak Depth (mm)": None, "Flipper Length (mm)": None, "Body Mass (g)": None, "Sex": "FEMALE"},
    # Some numbers and the sex missing.
    {"Island": "Biscoe", "Beak Length (mm)": 38.5, "Beak Depth (mm)": None, "Flipper Length (mm)": 190, "Body Mass (g)": None, "Sex": None},
]


def frame(records):
    """Records → model columns, under the runtime's contract: null is NaN for a number, "" for a string."""
    data = {}
    for column, (field, kind) in COLUMNS.items():
        values = [r.get(field) for r in records]
        if kind == "float":
            data[column] = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        else:
            data[column] = np.array(["" if v is None else str(v) for v in values], dtype=object)
    return pd.DataFrame(data)


def describe_field(field, kind):
    missing = "NaN" if kind == "float" else '""'
    return f"record field {json.dumps(field)} → tensor({kind}) [N, 1]; null is fed as {missing}"


def to_float32(x):
    return np.asarray(x, dtype=np.float32)


def to_float64(x):
    return np.asarray(x, dtype=np.float64)


def pipeline(classifier, categories, exact_float32):
    """The training pipeline; with exact_float32 it computes what the ONNX graph computes.

    The runtime hands the graph float32 numbers, so the pipeline first rounds them the
    same way, imputes in float32 (the ONNX Imputer's type), scales in float64 and gives
    the tree float32 (what a tree compares anyway).
    """
    if exact_float32:
        numbers = Pipeline([
            ("as_float32", FunctionTransformer(to_float32)),
            ("impute", SimpleImputer(strategy="mean")),
            ("as_float64", FunctionTransformer(to_float64)),
            ("scale", StandardScaler()),
            ("to_float32", FunctionTransformer(to_float32)),
        ])
    else:
        numbers = Pipeline([("impute", SimpleImputer(strategy="mean")), ("scale", StandardScaler())])
    pre = ColumnTransformer(
        [
            ("num", numbers, NUMERIC),
            ("cat", OneHotEncoder(categories=categories, handle_unknown="ignore", sparse_output=False), CATEGORICAL),
        ],
        sparse_threshold=0,
    )
    return Pipeline([("pre", pre), ("clf", classifier)])


def to_onnx(fitted, name, exact_float32):
    pre = fitted.named_steps["pre"]
    nodes, initializers = g.column_transformer_block(
        NUMERIC, CATEGORICAL, pre.named_transformers_["num"], pre.named_transformers_["cat"], exact_float32
    )
    clf = fitted.named_steps["clf"]
    if isinstance(clf, LogisticRegression):
        nodes.append(g.linear_classifier("features", clf))
    else:
        nodes.append(g.tree_ensemble_classifier("features", clf))
    inputs = [g.column_input(column, kind) for column, (_, kind) in COLUMNS.items()]
    graph = g.helper.make_graph(nodes, name, inputs, g.classifier_outputs(len(clf.classes_)), initializers)
    return g.make_model(graph)


def main(data_path, out_dir):
    with open(data_path, encoding="utf-8") as f:
        rows = json.load(f)
    records = [{k: v for k, v in row.items() if k != TARGET} for row in rows]
    X, y = frame(records), np.array([row[TARGET] for row in rows])
    categories = [sorted(set(X[c]) - UNKNOWN) for c in CATEGORICAL]

    reference_records = records + EXTRA_RECORDS
    X_ref = frame(reference_records)
    fields = {column: describe_field(field, kind) for column, (field, kind) in COLUMNS.items()}

    versions = {
        1: (LogisticRegression(multi_class="multinomial", C=1.0, max_iter=1000), False),
        2: (RandomForestClassifier(n_estimators=20, max_depth=5, random_state=SEED, n_jobs=1), True),
    }
    for version, (classifier, exact_float32) in versions.items():
        model = pipeline(classifier, categories, exact_float32)
        folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED)
        cv = cross_val_score(model, X, y, cv=folds).mean()
        fitted = model.fit(X, y)
        train = (fitted.predict(X) == y).mean()

        version_dir = os.path.join(out_dir, str(version))
        save_model(version_dir, to_onnx(fitted, f"penguins_v{version}", exact_float32))
        write_reference(
            version_dir, fields, [str(c) for c in fitted.classes_], reference_records,
            {"label": [str(v) for v in fitted.predict(X_ref)], "probabilities": fitted.predict_proba(X_ref).tolist()},
        )
        print(f"penguins v{version}: {type(classifier).__name__}, accuracy {train:.3f} on all {len(y)} rows, {cv:.3f} in 5-fold CV")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
