"""Where a near-double-sided network's error comes from (NOTES.md, E19-E22 diagnosis).

Usage: python3 experiments/analysis/slot_surgery.py DIR [COUNT]
where DIR holds net_<k>.safetensors written by `hnet generate ... --mean --out DIR`
(inputs x ~ N(0, I_n), target sum_i |x_i|, SiLU hidden layer).

For each network it prints the nMSE on 20 000 fresh inputs (a) as generated, (b) with b2
refitted, (c) with every W1 row snapped to its largest entry (same L1 norm), and (d) with
the snapped neurons of each signed slot rescaled so that their effective outputs
w2_j |W1_j|_1 add to 1, and the number of slots no neuron reads after snapping.
Needs numpy and safetensors (pip install numpy safetensors).
"""
import numpy as np
from networks import networks_from_args, nmse


def main():
    for k, w1, b1, w2, b2, x, y in networks_from_args():
        m, n = w1.shape
        norm = np.abs(w1).sum(1)
        top = np.abs(w1).argmax(1)
        sign = np.sign(w1[np.arange(m), top])
        snapped = np.zeros_like(w1)
        snapped[np.arange(m), top] = sign * norm
        totals = {}
        for j in range(m):
            totals[(top[j], sign[j])] = totals.get((top[j], sign[j]), 0.0) + w2[j] * norm[j]
        rescaled = snapped / np.array([totals[(top[j], sign[j])] for j in range(m)])[:, None]
        print(
            f"net {k}: as generated {nmse(x, y, w1, b1, w2, b2, False):.4f}, "
            f"b2 refitted {nmse(x, y, w1, b1, w2, b2, True):.4f}, "
            f"rows snapped {nmse(x, y, snapped, b1, w2, b2, True):.4f} ({2 * n - len(totals)} slots unread), "
            f"+ slot totals 1 {nmse(x, y, rescaled, b1, w2, b2, True):.4f}"
        )


if __name__ == "__main__":
    main()
