"""TF Serving's classic test model, half_plus_two (y = 0.5 * x + 2), as ONNX, with x and y
declared [-1, 1] as in TF Serving's SavedModel: the fixture for model names with "_", flat
instances and the [N, 1] rule (the README's "Flat instances")."""
import sys

from onnx import TensorProto, helper

import onnx_graphs as g
from artifacts import save_model


def main(out_dir):
    graph = helper.make_graph(
        [
            helper.make_node("Mul", ["x", "half"], ["x_half"], name="mul_half"),
            helper.make_node("Add", ["x_half", "two"], ["y"], name="add_two"),
        ],
        "half_plus_two",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 1])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])],
        initializer=[
            helper.make_tensor("half", TensorProto.FLOAT, [], [0.5]),
            helper.make_tensor("two", TensorProto.FLOAT, [], [2.0]),
        ],
    )
    save_model(out_dir, g.make_model(graph, with_ml=False))
    print(f"half_plus_two: x [-1, 1] → y [-1, 1], in {out_dir}/model.onnx")


if __name__ == "__main__":
    main(sys.argv[1])
