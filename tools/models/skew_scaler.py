"""Copies an ONNX model with every `scale` of its Scaler nodes multiplied by a factor: the
re-export whose feature scaling drifted from training (training/serving skew). It loads,
runs and answers plausibly; only its references give it away. The runtime's self-check
test serves it next to the original's reference.json and expects it refused at load."""
import sys

import onnx


def main(source, target, factor):
    model = onnx.load(source)
    changed = 0
    for node in model.graph.node:
        if node.op_type != "Scaler":
            continue
        for attr in node.attribute:
            if attr.name == "scale":
                attr.floats[:] = [s * float(factor) for s in attr.floats]
                changed += 1
    if changed == 0:
        raise SystemExit(f"{source}: no Scaler node to skew")
    onnx.save(model, target)
    print(f"{target}: {changed} Scaler scale(s) x {factor}")


if __name__ == "__main__":
    main(*sys.argv[1:4])
