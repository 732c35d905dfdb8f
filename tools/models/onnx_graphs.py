"""ONNX graphs built from fitted scikit-learn estimators, shaped like skl2onnx's output.

skl2onnx is not packaged for Debian and PyPI is out of reach here, so the graphs are
written with onnx.helper from the estimators' own parameters, node for node what
skl2onnx emits with zipmap disabled: one [N, 1] input per column, ai.onnx.ml
Imputer / Scaler / OneHotEncoder / LinearClassifier / TreeEnsembleClassifier, and plain
ai.onnx MatMul/Add/Relu/Softmax for an MLP.
"""
import numpy as np
from onnx import TensorProto, checker, helper

# onnxruntime 1.30 runs far newer opsets; these are the ones skl2onnx targets for these
# ops, and IR 8 is what onnx 1.12 writes for opset 15.
OPSET_ONNX = 15
OPSET_ML = 3
IR_VERSION = 8

FLOAT = TensorProto.FLOAT
DOUBLE = TensorProto.DOUBLE
STRING = TensorProto.STRING


def _floats(values):
    return [float(v) for v in np.asarray(values, dtype=np.float64).ravel()]


def column_input(name, kind):
    """skl2onnx's layout for a DataFrame column: [N, 1], float or string."""
    return helper.make_tensor_value_info(name, STRING if kind == "string" else FLOAT, [None, 1])


def numeric_block(names, imputer, scaler, exact_scaling):
    """Concat the numeric columns → Imputer (NaN → training mean) → standard scaling.

    With exact_scaling the scaling runs in double, Cast → Sub → Div → Cast, which is what
    skl2onnx emits for StandardScaler with its `div_cast` option; the pipeline then casts
    to float32 around the scaler (skl2onnx's CastTransformer). A tree needs this: its
    thresholds sit exactly on some training values, and the float32 Scaler's
    (x - mean) * (1 / std) lands an ulp away from scikit-learn's (x - mean) / std often
    enough to flip splits. Returns (nodes, initializers, output name).
    """
    nodes = [
        helper.make_node("Concat", list(names), ["num_concat"], axis=1, name="num_concat"),
        helper.make_node(
            "Imputer", ["num_concat"], ["num_imputed"], domain="ai.onnx.ml", name="num_imputer",
            imputed_value_floats=_floats(imputer.statistics_), replaced_value_float=float("nan"),
        ),
    ]
    if not exact_scaling:
        nodes.append(helper.make_node(
            "Scaler", ["num_imputed"], ["num_scaled"], domain="ai.onnx.ml", name="num_scaler",
            offset=_floats(scaler.mean_), scale=_floats(1.0 / scaler.scale_),
        ))
        return nodes, [], "num_scaled"
    n = len(names)
    initializers = [
        helper.make_tensor("num_mean", DOUBLE, [n], _floats(scaler.mean_)),
        helper.make_tensor("num_std", DOUBLE, [n], _floats(scaler.scale_)),
    ]
    nodes += [
        helper.make_node("Cast", ["num_imputed"], ["num_double"], to=DOUBLE, name="num_cast64"),
        helper.make_node("Sub", ["num_double", "num_mean"], ["num_centered"], name="num_sub"),
        helper.make_node("Div", ["num_centered", "num_std"], ["num_scaled64"], name="num_div"),
        helper.make_node("Cast", ["num_scaled64"], ["num_scaled"], to=FLOAT, name="num_cast32"),
    ]
    return nodes, initializers, "num_scaled"


def onehot_block(name, categories):
    """OneHotEncoder on one string column, [N, 1] → [N, 1, C], reshaped to [N, C].

    zeros=1 makes a value outside `categories` (including "" for missing) all zeros,
    which is scikit-learn's handle_unknown='ignore'.
    """
    shape = f"{name}_onehot_shape"
    nodes = [
        helper.make_node(
            "OneHotEncoder", [name], [f"{name}_onehot3d"], domain="ai.onnx.ml", name=f"{name}_onehot",
            cats_strings=[str(c) for c in categories], zeros=1,
        ),
        helper.make_node("Reshape", [f"{name}_onehot3d", shape], [f"{name}_onehot"], name=f"{name}_reshape"),
    ]
    return nodes, [helper.make_tensor(shape, TensorProto.INT64, [2], [-1, len(categories)])], f"{name}_onehot"


def column_transformer_block(numeric, categorical, num_pipeline, encoder, exact_scaling):
    """A fitted ColumnTransformer of ("impute", "scale") on the numbers and a OneHotEncoder on
    the strings, as one "features" tensor: what every tabular example and benchmark exports."""
    nodes, initializers, numbers = numeric_block(numeric, num_pipeline.named_steps["impute"], num_pipeline.named_steps["scale"], exact_scaling)
    encoded = [numbers]
    for column, categories in zip(categorical, encoder.categories_):
        n, i, out = onehot_block(column, categories)
        nodes += n
        initializers += i
        encoded.append(out)
    nodes.append(helper.make_node("Concat", encoded, ["features"], axis=1, name="features_concat"))
    return nodes, initializers


def linear_classifier(features, clf):
    """Multinomial LogisticRegression: softmax(x · coefᵀ + intercept)."""
    return helper.make_node(
        "LinearClassifier", [features], ["label", "probabilities"], domain="ai.onnx.ml", name="linear_classifier",
        coefficients=_floats(clf.coef_), intercepts=_floats(clf.intercept_),
        classlabels_strings=[str(c) for c in clf.classes_], multi_class=1, post_transform="SOFTMAX",
    )


def float32_at_or_below(threshold):
    """The largest float32 <= threshold.

    scikit-learn compares float32 features with float64 thresholds, ONNX stores float32
    thresholds. For every float32 x, x <= t exactly when x <= this value; rounding t to
    nearest instead would send x to the other child whenever t lies between x and the
    float32 just above it.
    """
    t32 = np.float32(threshold)
    if float(t32) > threshold:
        t32 = np.nextafter(t32, np.float32(-np.inf))
    return float(t32)


def tree_ensemble_classifier(features, forest):
    """RandomForestClassifier: the mean over trees of each leaf's class fractions."""
    attrs = {key: [] for key in (
        "nodes_treeids", "nodes_nodeids", "nodes_featureids", "nodes_values", "nodes_modes",
        "nodes_truenodeids", "nodes_falsenodeids", "nodes_missing_value_tracks_true", "nodes_hitrates",
        "class_treeids", "class_nodeids", "class_ids", "class_weights",
    )}
    n_trees = len(forest.estimators_)
    for tree_id, estimator in enumerate(forest.estimators_):
        tree = estimator.tree_
        for node in range(tree.node_count):
            is_leaf = tree.children_left[node] == -1
            attrs["nodes_treeids"].append(tree_id)
            attrs["nodes_nodeids"].append(node)
            attrs["nodes_featureids"].append(0 if is_leaf else int(tree.feature[node]))
            attrs["nodes_values"].append(0.0 if is_leaf else float32_at_or_below(tree.threshold[node]))
            attrs["nodes_modes"].append("LEAF" if is_leaf else "BRANCH_LEQ")
            # scikit-learn sends x <= threshold to the left child.
            attrs["nodes_truenodeids"].append(0 if is_leaf else int(tree.children_left[node]))
            attrs["nodes_falsenodeids"].append(0 if is_leaf else int(tree.children_right[node]))
            attrs["nodes_missing_value_tracks_true"].append(0)
            attrs["nodes_hitrates"].append(1.0)
            if is_leaf:
                # tree_.value holds (bootstrap-weighted) class counts; a tree's
                # predict_proba is their fraction, and the forest averages the trees.
                counts = tree.value[node][0]
                for class_id, fraction in enumerate(counts / counts.sum()):
                    attrs["class_treeids"].append(tree_id)
                    attrs["class_nodeids"].append(node)
                    attrs["class_ids"].append(class_id)
                    attrs["class_weights"].append(float(fraction) / n_trees)
    return helper.make_node(
        "TreeEnsembleClassifier", [features], ["label", "probabilities"], domain="ai.onnx.ml", name="tree_ensemble",
        classlabels_strings=[str(c) for c in forest.classes_], post_transform="NONE", **attrs,
    )


def classifier_outputs(n_classes):
    """skl2onnx's outputs with zipmap disabled."""
    return [
        helper.make_tensor_value_info("label", STRING, [None]),
        helper.make_tensor_value_info("probabilities", FLOAT, [None, n_classes]),
    ]


def mlp_graph(name, input_name, scaler, mlp):
    """(x - mean) / std → (MatMul → Add → Relu)* → MatMul → Add → Softmax, and ArgMax as `class`."""
    n_features = len(scaler.mean_)
    initializers = [
        helper.make_tensor("mean", FLOAT, [n_features], _floats(scaler.mean_)),
        helper.make_tensor("std", FLOAT, [n_features], _floats(scaler.scale_)),
    ]
    nodes = [
        helper.make_node("Sub", [input_name, "mean"], ["centered"], name="sub_mean"),
        helper.make_node("Div", ["centered", "std"], ["h0"], name="div_std"),
    ]
    last = len(mlp.coefs_) - 1
    for i, (weights, bias) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
        initializers.append(helper.make_tensor(f"w{i}", FLOAT, list(weights.shape), _floats(weights)))
        initializers.append(helper.make_tensor(f"b{i}", FLOAT, [len(bias)], _floats(bias)))
        nodes.append(helper.make_node("MatMul", [f"h{i}", f"w{i}"], [f"z{i}"], name=f"matmul{i}"))
        out = "logits" if i == last else f"pre{i}"
        nodes.append(helper.make_node("Add", [f"z{i}", f"b{i}"], [out], name=f"add{i}"))
        if i != last:
            nodes.append(helper.make_node("Relu", [out], [f"h{i + 1}"], name=f"relu{i}"))
    n_classes = mlp.coefs_[-1].shape[1]
    nodes.append(helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1, name="softmax"))
    nodes.append(helper.make_node("ArgMax", ["probabilities"], ["class"], axis=1, keepdims=0, name="argmax"))
    return helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(input_name, FLOAT, [None, n_features])],
        [
            helper.make_tensor_value_info("probabilities", FLOAT, [None, n_classes]),
            helper.make_tensor_value_info("class", TensorProto.INT64, [None]),
        ],
        initializers,
    )


def make_model(graph, with_ml=True):
    opsets = [helper.make_opsetid("", OPSET_ONNX)]
    if with_ml:
        opsets.append(helper.make_opsetid("ai.onnx.ml", OPSET_ML))
    model = helper.make_model(graph, opset_imports=opsets, producer_name="modelyard-tools", producer_version="1")
    model.ir_version = IR_VERSION
    # onnx 1.12 has no shape inference for several ai.onnx.ml ops, so the strict full
    # check only applies to plain graphs; onnxruntime checks the rest when it loads them.
    checker.check_model(model, full_check=not with_ml)
    return model


def keras_mlp_graph(name, mlp, image_shape, input_name, output_name):
    """Keras' classic Flatten → Dense(relu) → Dropout → Dense(softmax), as plain ONNX.

    Tensor names follow what Keras gives a Sequential model's SavedModel signature
    (`flatten_input` in, the last Dense layer's name out), so callers of the TF Serving
    signature and of this graph send and read the same names. Dropout is the identity at
    inference time, so it has no node.
    """
    pixels = int(np.prod(image_shape))
    initializers = [helper.make_tensor("flat_shape", TensorProto.INT64, [2], [-1, pixels])]
    nodes = [helper.make_node("Reshape", [input_name, "flat_shape"], ["h0"], name="flatten")]
    last = len(mlp.coefs_) - 1
    for i, (weights, bias) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
        initializers.append(helper.make_tensor(f"dense{i}_kernel", FLOAT, list(weights.shape), _floats(weights)))
        initializers.append(helper.make_tensor(f"dense{i}_bias", FLOAT, [len(bias)], _floats(bias)))
        nodes.append(helper.make_node("MatMul", [f"h{i}", f"dense{i}_kernel"], [f"z{i}"], name=f"dense{i}_matmul"))
        nodes.append(helper.make_node("Add", [f"z{i}", f"dense{i}_bias"], [f"logits{i}"], name=f"dense{i}_add"))
        if i != last:
            nodes.append(helper.make_node("Relu", [f"logits{i}"], [f"h{i + 1}"], name=f"dense{i}_relu"))
    n_classes = mlp.coefs_[-1].shape[1]
    nodes.append(helper.make_node("Softmax", [f"logits{last}"], [output_name], axis=1, name="softmax"))
    return helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info(input_name, FLOAT, [None, *image_shape])],
        [helper.make_tensor_value_info(output_name, FLOAT, [None, n_classes])],
        initializers,
    )
