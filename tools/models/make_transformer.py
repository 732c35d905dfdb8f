"""A feature transformer for the tests of the transformer stage: four iris measurements,
one [N, 1] input each as a caller's record gives them, concatenated into the [N, 4]
`features` tensor the iris graph takes (the shape skl2onnx gives a ColumnTransformer)."""
import sys

from onnx import TensorProto, helper

import onnx_graphs as g
from artifacts import save_model

FIELDS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


def main(out_dir):
    graph = helper.make_graph(
        [helper.make_node("Concat", FIELDS, ["features"], axis=1, name="concat_columns")],
        "iris_columns",
        [helper.make_tensor_value_info(f, TensorProto.FLOAT, [None, 1]) for f in FIELDS],
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, [None, len(FIELDS)])],
    )
    save_model(out_dir, g.make_model(graph, with_ml=False))
    print(f"transformer: 4 columns → features, in {out_dir}/model.onnx")


if __name__ == "__main__":
    main(sys.argv[1])
