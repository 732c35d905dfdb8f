"""The files a model version is made of: model.onnx and reference.json."""
import json
import os


def save_model(version_dir, model):
    os.makedirs(version_dir, exist_ok=True)
    with open(os.path.join(version_dir, "model.onnx"), "wb") as f:
        f.write(model.SerializeToString())


def write_reference(version_dir, fields, classes, records, outputs):
    """`records` as a caller would send them, `outputs` as scikit-learn answered them.

    json writes floats with repr, the shortest text that reads back as the same float64:
    the probabilities keep full precision and a rerun writes the same bytes.
    """
    os.makedirs(version_dir, exist_ok=True)
    document = {"fields": fields, "classes": classes, "records": records, "outputs": outputs}
    with open(os.path.join(version_dir, "reference.json"), "w", encoding="utf-8") as f:
        json.dump(document, f, indent=1, ensure_ascii=False, allow_nan=False)
        f.write("\n")
