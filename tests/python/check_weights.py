"""Loads target networks written by hnet with numpy and the `safetensors` package,
evaluates them in numpy and compares with the outputs the Rust side computed.

Usage: python3 tests/python/check_weights.py CASES.json

CASES.json holds {"relative_tolerance": t, "cases": [{"weights": PATH, "x": [[...]], "y": [...]}]}:
per case a weights file (f32 tensors W1 [m, n], b1 [m], w2 [m], b2 [1], the hidden
activation's name under the metadata key "activation", silu when absent), inputs
X [N, n] and the Rust outputs y [N]. numpy computes, in float64,

    y = act(X W1^T + b1) w2 + b2,   silu(u) = u / (1 + exp(-u)),  relu(u) = max(u, 0)

and a case passes when max |y_numpy - y_rust| <= t * max(1, max |y_numpy|).

Exit status: 0 all cases pass, 1 some case differs (each is reported), 2 numpy or
safetensors is missing (install with `pip install numpy safetensors`).
"""

import json
import sys

try:
    import numpy as np
    from safetensors import safe_open
    from safetensors.numpy import load_file
except ImportError as missing:
    print(f"check_weights.py: {missing}; run `python3 -m pip install numpy safetensors`", file=sys.stderr)
    sys.exit(2)

ACTIVATIONS = {
    "silu": lambda u: u / (1.0 + np.exp(-u)),
    "relu": lambda u: np.maximum(u, 0.0),
}


def load_network(path):
    """The four tensors as float64 arrays and the activation's name, checked."""
    tensors = load_file(path)
    with safe_open(path, framework="numpy") as f:
        activation = (f.metadata() or {}).get("activation", "silu")
    if activation not in ACTIVATIONS:
        raise ValueError(f"{path}: unknown activation {activation!r}")
    for name in ("W1", "b1", "w2", "b2"):
        if name not in tensors:
            raise ValueError(f"{path}: missing tensor {name}")
        if tensors[name].dtype != np.float32:
            raise ValueError(f"{path}: {name} has dtype {tensors[name].dtype}, expected float32")
    w1, b1, w2, b2 = (tensors[k].astype(np.float64) for k in ("W1", "b1", "w2", "b2"))
    m, n = w1.shape
    if b1.shape != (m,) or w2.shape != (m,) or b2.shape != (1,):
        raise ValueError(f"{path}: shapes W1 {w1.shape}, b1 {b1.shape}, w2 {w2.shape}, b2 {b2.shape}")
    return w1, b1, w2, b2, activation


def evaluate(path, x):
    w1, b1, w2, b2, activation = load_network(path)
    return ACTIVATIONS[activation](x @ w1.T + b1) @ w2 + b2[0]


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        sys.exit(64)
    with open(sys.argv[1]) as f:
        spec = json.load(f)
    tolerance = spec["relative_tolerance"]
    failures = 0
    for case in spec["cases"]:
        x = np.asarray(case["x"], dtype=np.float32).astype(np.float64)
        y_rust = np.asarray(case["y"], dtype=np.float64)
        y_numpy = evaluate(case["weights"], x)
        diff = float(np.max(np.abs(y_numpy - y_rust)))
        allowed = tolerance * max(1.0, float(np.max(np.abs(y_numpy))))
        verdict = "ok" if diff <= allowed else "MISMATCH"
        failures += verdict != "ok"
        print(f"{verdict}: {case['weights']}: {x.shape[0]} inputs, max |numpy - rust| = {diff:.3g} (allowed {allowed:.3g})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
