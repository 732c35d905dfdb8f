"""Trains the benchmark's model the way the old services were made, and exports it to ONNX.

Data: vega-datasets' seattle-weather.csv (1,461 real days, 2012-2015). Each row is one
day; its 32 fields are what was known the evening before:
  30 numbers: precipitation, temp_max, temp_min and wind on each of the 7 previous days
              (28; null when the day is before the data starts) and the day of the year
              as sin/cos (2);
   2 strings: yesterday's weather (drizzle, fog, rain, snow, sun) and the month name.
Target: the day's weather (5 classes). The last 20 % of the days are held out.

Pipeline, as the Flask services had it (transformer and model pickled separately):
  transformer = ColumnTransformer([
      ('num', Pipeline([SimpleImputer(), StandardScaler()]), numeric),
      ('cat', OneHotEncoder(handle_unknown='ignore'), categorical)])
  model = LogisticRegression()

The ONNX export reuses tools/models/onnx_graphs.py (skl2onnx is not packaged for Debian
and PyPI is out of reach): one [N, 1] input per column, as skl2onnx names a DataFrame's.

Usage: train.py <seattle-weather.csv> <out dir>
Writes <out>/flask/{transformer,model}.pkl, <out>/models/<name>/{model.json,1/model.onnx},
<out>/check.json (records + scikit-learn's labels) and <out>/bodies/*.
"""
import csv
import json
import math
import os
import pickle
import sys
from datetime import date

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models"))
import onnx_graphs as g  # noqa: E402  (tools/models, shared with the example models)
from artifacts import save_model  # noqa: E402

MODEL_NAME = "seattle-weather"
LAGS = 7
MEASURES = ["precipitation", "temp_max", "temp_min", "wind"]
NUMERIC = [f"{m}_lag{k}" for k in range(1, LAGS + 1) for m in MEASURES] + ["doy_sin", "doy_cos"]
CATEGORICAL = ["weather_lag1", "month"]
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
HELD_OUT = 0.2
# Records per body in the batch cells; the held-out days are cycled to fill it.
BATCH = 100


def read_days(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [
            {"date": date.fromisoformat(r["date"]), "weather": r["weather"],
             **{m: float(r[m]) for m in MEASURES}}
            for r in csv.DictReader(f)
        ]


def record(days, t):
    """What was known on the evening before day t, as a caller would send it."""
    rec = {}
    for k in range(1, LAGS + 1):
        for m in MEASURES:
            rec[f"{m}_lag{k}"] = days[t - k][m] if t - k >= 0 else None
    day_of_year = days[t]["date"].timetuple().tm_yday
    angle = 2 * math.pi * day_of_year / 366
    # Rounded to float32's precision so both servers see the same number.
    rec["doy_sin"] = float(np.float32(math.sin(angle)))
    rec["doy_cos"] = float(np.float32(math.cos(angle)))
    rec["weather_lag1"] = days[t - 1]["weather"] if t >= 1 else None
    rec["month"] = MONTHS[days[t]["date"].month - 1]
    return rec


def frame(records):
    """What the Flask service does with a request: pd.DataFrame(data), columns in order."""
    return pd.DataFrame(records)[NUMERIC + CATEGORICAL]


def model_config():
    return {
        "name": MODEL_NAME,
        "description": "The day's weather in Seattle from the 7 days before it (vega-datasets seattle-weather): the vs-flask benchmark's model.",
        "backend": "onnx",
        "inputs": [{"name": c, "dtype": "float32", "shape": [-1, 1], "field": c} for c in NUMERIC]
        + [{"name": c, "dtype": "string", "shape": [-1, 1], "field": c} for c in CATEGORICAL],
        "outputs": [
            {"name": "label", "role": "label"},
            {"name": "probabilities", "role": "probabilities", "classes": None},
        ],
        # Flask answered with model.predict(...).tolist(): the labels.
        "getScore": {"output": "label"},
        # What `nx g model` writes for an ONNX model whose tensors all have a free row dimension
        # (tools/plugin/src/generators/model/model-config.ts): requests decoded in the same turn
        # of the event loop share one onnxruntime run; none waits for company.
        "batching": {"maxBatchSize": 64, "batchTimeoutMicros": 0},
    }


def to_onnx(transformer, model):
    nodes, initializers = g.column_transformer_block(
        NUMERIC, CATEGORICAL, transformer.named_transformers_["num"], transformer.named_transformers_["cat"], False
    )
    nodes.append(g.linear_classifier("features", model))
    inputs = [g.column_input(c, "float") for c in NUMERIC] + [g.column_input(c, "string") for c in CATEGORICAL]
    graph = g.helper.make_graph(nodes, MODEL_NAME.replace("-", "_"), inputs, g.classifier_outputs(len(model.classes_)), initializers)
    return g.make_model(graph)


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, separators=(",", ":"), allow_nan=False)


def main(csv_path, out):
    days = read_days(csv_path)
    records = [record(days, t) for t in range(1, len(days))]
    y = np.array([days[t]["weather"] for t in range(1, len(days))])
    split = int(len(records) * (1 - HELD_OUT))
    train, held_out = records[:split], records[split:]

    transformer = ColumnTransformer(
        [
            ("num", Pipeline([("impute", SimpleImputer(strategy="mean")), ("scale", StandardScaler())]), NUMERIC),
            ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), CATEGORICAL),
        ],
        sparse_threshold=0,
    )
    model = LogisticRegression(C=1.0, max_iter=2000)
    X_train = transformer.fit_transform(frame(train))
    model.fit(X_train, y[:split])
    accuracy = (model.predict(transformer.transform(frame(held_out))) == y[split:]).mean()

    os.makedirs(os.path.join(out, "flask"), exist_ok=True)
    for name, obj in (("transformer.pkl", transformer), ("model.pkl", model)):
        with open(os.path.join(out, "flask", name), "wb") as f:
            pickle.dump(obj, f)

    model_dir = os.path.join(out, "models", MODEL_NAME)
    save_model(os.path.join(model_dir, "1"), to_onnx(transformer, model))
    config = model_config()
    config["outputs"][1]["classes"] = [str(c) for c in model.classes_]
    write_json(os.path.join(model_dir, "model.json"), config)

    # The agreement check: every held-out day, plus the first days, whose lags are null
    # (the imputer's path: pandas makes None a NaN, the runtime feeds null as NaN).
    check = records[:LAGS] + held_out
    cycled = [held_out[i % len(held_out)] for i in range(BATCH)]

    def predict(rs):
        return [str(v) for v in model.predict(transformer.transform(frame(rs)))]

    write_json(os.path.join(out, "check.json"), {
        "records": check, "labels": predict(check),
        # scikit-learn's labels for the bodies the load cells send.
        "bodies": {"one": predict(held_out[:1]), "batch": predict(cycled)},
    })
    write_json(os.path.join(out, "bodies", "one.json"), {"data": held_out[:1]})
    write_json(os.path.join(out, "bodies", "batch.json"), {"data": cycled})
    print(json.dumps({
        "rows": len(records), "train": len(train), "heldOut": len(held_out), "heldOutAccuracy": round(float(accuracy), 4),
        "numeric": len(NUMERIC), "categorical": len(CATEGORICAL), "classes": [str(c) for c in model.classes_],
    }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
