"""The old service, as the Flask seeds wrote it: two pickles, one route, a DataFrame per request.

Run under gunicorn (gunicorn -w 2 -b 127.0.0.1:<port> flask_app:app) with ARTIFACTS_DIR
pointing at the folder holding transformer.pkl and model.pkl.
"""
import os
import pickle

import pandas as pd
from flask import Flask, jsonify, request

ARTIFACTS_DIR = os.environ.get("ARTIFACTS_DIR", ".")

with open(os.path.join(ARTIFACTS_DIR, "transformer.pkl"), "rb") as f:
    transformer = pickle.load(f)
with open(os.path.join(ARTIFACTS_DIR, "model.pkl"), "rb") as f:
    model = pickle.load(f)

app = Flask(__name__)


@app.route("/health", methods=["GET"])
def health():
    return jsonify({"health": "status", "code": 200})


@app.route("/get_score", methods=["POST"])
def get_score():
    try:
        data = request.get_json()["data"]
        df = pd.DataFrame(data)
        features = transformer.transform(df)
        scores = model.predict(features).tolist()
        return jsonify({"msg": "Successful!", "code": 200, "data": scores})
    except Exception as e:  # the seeds answered every failure the same way
        return jsonify({"msg": str(e), "code": 500, "data": []}), 500
