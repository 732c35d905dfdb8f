"""ONNX graphs built from fitted scikit-learn estimators, shaped like skl2onnx's output.

skl2onnx is not packaged for Debian and PyPI is out of reach here, so the graphs are
written with onnx.helper from the estimators' own parameters: the same ai.onnx.ml ops
(Imputer, Scaler, OneHotEncoder, LinearClassifier, TreeEnsembleClassifier) and the same
input layout (one [N, 1] input per column) that skl2onnx emits with zipmap disabled.
"""
import numpy as np
from onnx import TensorProto, helper

OPSETS = [helper.make_opsetid("", 15), helper.make_opsetid("ai.onnx.ml", 3)]
# IR 8 is what onnx 1.12 writes by default; onnxruntime 1.30 reads it.
IR_VERSION = 8


def _floats(values):
    return [float(v) for v in np.asarray(values, dtype=np.float64).ravel()]


def column_inputs(numeric, categorical):
    """One [N, 1] input per column: floats for numbers, strings for categories."""
    inputs = [helper.make_tensor_value_info(name, TensorProto.FLOAT, [None, 1]) for name in numeric]
    inputs += [helper.make_tensor_value_info(name, TensorProto.STRING, [None, 1]) for name in categorical]
    return inputs


def preprocessing_nodes(numeric, categorical, imputer, scaler, encoder):
    """Concat numbers → Imputer (→ Scaler); OneHotEncoder per category; Concat all.

    Returns (nodes, initializers, name of the [N, features] float output).
    """
    nodes = [
        helper.make_node("Concat", numeric, ["numbers"], axis=1, name="concat_numbers"),
        helper.make_node(
            "Imputer", ["numbers"], ["numbers_imputed"], domain="ai.onnx.ml", name="imputer",
            imputed_value_floats=_floats(imputer.statistics_), replaced_value_float=float("nan"),
        ),
    ]
    numbers = "numbers_imputed"
    if scaler is not None:
        # Scaler computes (x - offset) * scale, so StandardScaler's scale_ is inverted.
        nodes.append(helper.make_node(
            "Scaler", ["numbers_imputed"], ["numbers_scaled"], domain="ai.onnx.ml", name="scaler",
            offset=_floats(scaler.mean_), scale=_floats(1.0 / scaler.scale_),
        ))
        numbers = "numbers_scaled"
    initializers = []
    encoded = [numbers]
    for name, categories in zip(categorical, encoder.categories_):
        # zeros=1: an unseen category encodes as all zeros, like handle_unknown='ignore'.
        nodes.append(helper.make_node(
            "OneHotEncoder", [name], [f"{name}_onehot3d"], domain="ai.onnx.ml", name=f"onehot_{name}",
            cats_strings=[str(c) for c in categories], zeros=1,
        ))
        shape_name = f"{name}_onehot_shape"
        initializers.append(helper.make_tensor(shape_name, TensorProto.INT64, [2], [-1, len(categories)]))
        nodes.append(helper.make_node("Reshape", [f"{name}_onehot3d", shape_name], [f"{name}_onehot"], name=f"reshape_{name}"))
        encoded.append(f"{name}_onehot")
    nodes.append(helper.make_node("Concat", encoded, ["features"], axis=1, name="concat_features"))
    return nodes, initializers, "features"


def linear_classifier_node(features, clf):
    """Multinomial LogisticRegression: softmax(X · coefᵀ + intercept)."""
    return helper.make_node(
        "LinearClassifier", [features], ["label", "probabilities"], domain="ai.onnx.ml", name="linear_classifier",
        coefficients=_floats(clf.coef_), intercepts=_floats(clf.intercept_),
        classlabels_strings=[str(c) for c in clf.classes_], multi_class=1, post_transform="SOFTMAX",
    )


def float32_at_or_below(threshold):
    """The largest float32 <= threshold.

    scikit-learn compares float32 features with float64 thresholds; ONNX stores float32
    thresholds. For a float32 x, x <= t exactly when x <= (largest float32 <= t), whereas
    rounding to nearest flips the split when t falls between two adjacent float32 values.
    """
    t32 = np.float32(threshold)
    return float(t32 if float(t32) <= threshold else np.nextafter(t32, np.float32(-np.inf)))


def tree_ensemble_classifier_node(features, forest):
    """RandomForestClassifier: the mean over trees of each leaf's class fractions."""
    attrs = {k: [] for k in (
        "nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values", "nodes_modes",
        "nodes_truenodeids", "nodes_falsenodeids", "nodes_missing_value_tracks_true",
        "nodes_hitrates", "class_treeids", "class_nodeids", "class_ids", "class_weights",
    )}
    n_trees = len(forest.estimators_)
    for tree_id, estimator in enumerate(forest.estimators_):
        tree = estimator.tree_
        for node in range(tree.node_count):
            leaf = tree.children_left[node] == -1
            attrs["nodes_treeids"].append(tree_id)
            attrs["nodes_nodeids"].append(node)
            attrs["nodes_featureids"].append(0 if leaf else int(tree.feature[node]))
            attrs["nodes_values"].append(0.0 if leaf else float32_at_or_below(tree.threshold[node]))
            attrs["nodes_modes"].append("LEAF" if leaf else "BRANCH_LEQ")
            # scikit-learn sends x <= threshold to the left child.
            attrs["nodes_truenodeids"].append(0 if leaf else int(tree.children_left[node]))
            attrs["nodes_falsenodeids"].append(0 if leaf else int(tree.children_right[node]))
            attrs["nodes_missing_value_tracks_true"].append(0)
            attrs["nodes_hitrates"].append(1.0)
            if leaf:
                counts = tree.value[node][0]
                fractions = counts / counts.sum()
                for class_id, fraction in enumerate(fractions):
                    attrs["class_treeids"].append(tree_id)
                    attrs["class_nodeids"].append(node)
                    attrs["class_ids"].append(class_id)
                    attrs["class_weights"].append(float(fraction) / n_trees)
    return helper.make_node(
        "TreeEnsembleClassifier", [features], ["label", "probabilities"], domain="ai.onnx.ml", name="tree_ensemble",
        classlabels_strings=[str(c) for c in forest.classes_], post_transform="NONE", **attrs,
    )


def classifier_outputs(n_classes):
    return [
        helper.make_tensor_value_info("label", TensorProto.STRING, [None]),
        helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, n_classes]),
    ]


def mlp_graph(scaler, mlp, n_features, name):
    """StandardScaler + ReLU MLP + softmax as plain ai.onnx ops; `class` is the argmax."""
    initializers = [
        helper.make_tensor("mean", TensorProto.FLOAT, [n_features], _floats(scaler.mean_)),
        helper.make_tensor("inv_std", TensorProto.FLOAT, [n_features], _floats(1.0 / scaler.scale_)),
    ]
    nodes = [
        helper.make_node("Sub", ["features", "mean"], ["centered"]),
        helper.make_node("Mul", ["centered", "inv_std"], ["h0"]),
    ]
    last = len(mlp.coefs_) - 1
    for i, (w, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
        initializers.append(helper.make_tensor(f"w{i}", TensorProto.FLOAT, list(w.shape), _floats(w)))
        initializers.append(helper.make_tensor(f"b{i}", TensorProto.FLOAT, [b.shape[0]], _floats(b)))
        nodes.append(helper.make_node("MatMul", [f"h{i}", f"w{i}"], [f"m{i}"]))
        out = "logits" if i == last else f"a{i}"
        nodes.append(helper.make_node("Add", [f"m{i}", f"b{i}"], [out]))
        if i != last:
            nodes.append(helper.make_node("Relu", [out], [f"h{i + 1}"]))
    n_classes = mlp.coefs_[-1].shape[1]
    nodes.append(helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1))
    nodes.append(helper.make_node("ArgMax", ["probabilities"], ["class"], axis=1, keepdims=0))
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, [None, n_features])],
        [
            helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, n_classes]),
            helper.make_tensor_value_info("class", TensorProto.INT64, [None]),
        ],
        initializers,
    )
    return make_model(graph, opsets=[helper.make_opsetid("", 15)])


def make_model(graph, opsets=OPSETS):
    model = helper.make_model(graph, opset_imports=opsets, producer_name="modelyard-tools", producer_version="1")
    model.ir_version = IR_VERSION
    return model
