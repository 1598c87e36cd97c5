"""Shared helpers of the analysis scripts: read generated networks and score them.

A network file is what `hnet generate ... --mean --out DIR` writes (DIR/net_<k>.safetensors:
W1 [m, n], b1 [m], w2 [m], b2); the task is sum_i |x_i| on x ~ N(0, I_n) with a SiLU
hidden layer, and nMSE = MSE / (n (1 - 2/pi)).
Needs numpy and safetensors (pip install numpy safetensors).
"""
import sys

import numpy as np
from safetensors.numpy import load_file


def silu(u):
    return u / (1.0 + np.exp(-u))


def nmse(x, y, w1, b1, w2, b2, refit_b2=False):
    residual = y - (silu(x @ w1.T + b1) @ w2 + b2)
    if refit_b2:
        residual = residual - residual.mean()
    return (residual**2).mean() / (x.shape[1] * (1 - 2 / np.pi))


def networks_from_args():
    """Yields (k, W1, b1, w2, b2, x, y) for the networks named by `DIR [COUNT]` on the
    command line, each with 20 000 fresh inputs x and their targets y."""
    folder, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 1
    for k in range(count):
        t = load_file(f"{folder}/net_{k}.safetensors")
        w1, b1, w2, b2 = t["W1"], t["b1"], t["w2"], float(t["b2"].reshape(-1)[0])
        x = np.random.default_rng(0).standard_normal((20000, w1.shape[1]))
        yield k, w1, b1, w2, b2, x, np.abs(x).sum(1)
