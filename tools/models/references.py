"""Reference predictions, written the same way on every run so the files are reproducible."""
import json


def write_reference(path, records, outputs):
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"records": records, "outputs": outputs}, f, indent=1, allow_nan=False)
        f.write("\n")
