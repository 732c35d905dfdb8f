"""What the old Flask services' callers got from pandas + scikit-learn, case by case: the
expected values for modelyard's `"getScore": {"coerce": "pandas"}` (features/coerce-pandas.ts).

The old service ran `pd.DataFrame(data)` and then the pipeline, whose first numeric step
calls scikit-learn's check_array(dtype=float64); string (categorical) columns reach the
encoder as the DataFrame holds them, which we write down as str(value). Writes
libs/runtime/src/features/coerce-pandas.fixture.json; the runtime's test replays it.
"""
import json
import math
import sys

import numpy as np
import pandas as pd
from sklearn.utils import check_array

# JSON texts a caller may put in a numeric field.
NUMERIC = [
    '12.3', '-7', '2.5e3', 'true', 'false', 'null', 'NaN', 'Infinity', '-Infinity',
    '"12.3"', '" 12.3 "', '"\\t7\\n"', '"1e3"', '"-0.5"', '".5"', '"5."', '"+5"', '"1_000"',
    '"nan"', '"NaN"', '"inf"', '"-Infinity"', '"1e400"', '"\\u00a012"',
    '""', '"  "', '"abc"', '"12,3"', '"0x10"', '"1 2"', '"1__0"', '"_1"', '[1]', '{"a": 1}',
]

# Whole columns (the DataFrame's dtype depends on every record) for a categorical field.
CATEGORICAL = [
    '[{"c": "Dream"}]', '[{"c": 1}]', '[{"c": 1}, {"c": null}]', '[{"c": 1}, {"c": "a"}]',
    '[{"c": 1}, {"c": 2.5}]', '[{"c": true}]', '[{"c": true}, {"c": false}]', '[{"c": true}, {"c": null}]',
    '[{"c": true}, {"c": 1}]', '[{"c": 1e20}]', '[{"c": 1e-5}]', '[{"c": 0.1}]', '[{"c": 123456.789}]',
    '[{"c": -3}, {"c": "x"}, {"c": 4.25}]', '[{"c": 1e16}]', '[{"c": 1.5e-7}]',
]


def as_json_number(x):
    """NaN and infinities cannot be JSON numbers: written as the strings nan/inf/-inf."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def numeric_case(text):
    frame = pd.DataFrame(json.loads('[{"v": %s}]' % text))
    try:
        value = check_array(frame, dtype=np.float64, force_all_finite=False)[0, 0]
    except (ValueError, TypeError) as err:
        return {"json": text, "error": f"{type(err).__name__}: {err}"}
    return {"json": text, "value": as_json_number(float(value))}


def is_missing(v):
    return v is None or (isinstance(v, float) and math.isnan(v))


def categorical_case(text):
    column = pd.DataFrame(json.loads(text))["c"]
    return {"records": text, "dtype": str(column.dtype), "strings": [None if is_missing(v) else str(v) for v in column]}


def main(out):
    document = {
        "generatedBy": "tools/models/pandas_coercions.py",
        "versions": {"pandas": pd.__version__, "scikit-learn": __import__("sklearn").__version__, "numpy": np.__version__},
        "numeric": [numeric_case(t) for t in NUMERIC],
        "categorical": [categorical_case(t) for t in CATEGORICAL],
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=1, ensure_ascii=False, allow_nan=False)
        f.write("\n")
    print(f"{out}: {len(document['numeric'])} numeric, {len(document['categorical'])} categorical cases")


if __name__ == "__main__":
    main(sys.argv[1])
