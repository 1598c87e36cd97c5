"""Is a generated network a pudding? (NOTES.md, E41-E43.)

Usage: python3 experiments/analysis/pudding_probe.py DIR [COUNT]
where DIR holds net_<k>.safetensors written by `hnet generate ... --mean --out DIR`
(inputs x ~ N(0, I_n), target sum_i |x_i|, SiLU hidden layer).

For each network it prints the nMSE on 20 000 fresh inputs as generated and with the
output weights of every neuron reading a `-` slot set to 0 (what the pudding curriculum's
gate does while closed), the per-input totals of the effective outputs
a_j = w2_j |W1_j|_1 of the axis-aligned `+` and `-` neurons (a positive pudding has 2 and 0,
double-sided 1 and 1), and the linear coefficient of the uniform-row (sum-slot) neuron,
w2_j r_j silu'(b1_j) (-1 in a positive pudding), with its b1.
Needs numpy and safetensors (pip install numpy safetensors).
"""
import numpy as np
from networks import networks_from_args, nmse


def silu_slope(u):
    s = 1.0 / (1.0 + np.exp(-u))
    return s * (1.0 + u * (1.0 - s))


def main():
    for k, w1, b1, w2, b2, x, y in networks_from_args():
        m, n = w1.shape
        nonzero = (w1 != 0).sum(1)
        top = np.abs(w1).argmax(1)
        sign = np.sign(w1[np.arange(m), top])
        axis = nonzero == 1
        minus = axis & (sign < 0)
        effective = w2 * np.abs(w1).sum(1)
        plus_totals = np.array([effective[axis & (sign > 0) & (top == i)].sum() for i in range(n)])
        minus_totals = np.array([effective[minus & (top == i)].sum() for i in range(n)])
        uniform = [j for j in range(m) if nonzero[j] == n and np.allclose(w1[j], w1[j, 0])]
        line = f"net {k}: nMSE {nmse(x, y, w1, b1, w2, b2):.4f}, - readers silenced {nmse(x, y, w1, b1, np.where(minus, 0.0, w2), b2):.4f}"
        line += f"; + totals {plus_totals.min():.2f}..{plus_totals.max():.2f}, - totals {minus_totals.min():.2f}..{minus_totals.max():.2f}"
        for j in uniform:
            line += f"; sum neuron coefficient {w2[j] * w1[j, 0] * silu_slope(b1[j]):+.3f} (b1 {b1[j]:+.2f})"
        print(line)


if __name__ == "__main__":
    main()
