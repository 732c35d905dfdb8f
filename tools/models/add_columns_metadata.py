"""Copies an ONNX model and records, in its metadata_props, which record fields its packed
inputs hold and in what order: the key `columns`, a JSON object {input: [field, ...]}.
This is where `nx g model --sample` looks for them (docs/add-a-model.md); the fixture is
the iris network with its four measurement names, as a training script would write them."""
import json
import sys

import onnx


def main(source, target, columns_json):
    model = onnx.load(source)
    del model.metadata_props[:]
    entry = model.metadata_props.add()
    entry.key = "columns"
    entry.value = json.dumps(json.loads(columns_json), separators=(",", ":"))
    onnx.save(model, target)
    print(f"{target}: columns = {entry.value}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
