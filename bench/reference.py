"""The benchmark workload of tests/examples/bench_target_mlp in PyTorch (eager) and JAX (jit).

One training step of B = 16 target networks n = 16 -> m = 48 -> 1 with swish (SiLU),
network b on its own N = 1024 standard normal inputs X_b, against the L1 norm of each
input row, in f32:

    U = X W1^T + b1,  H = silu(U),  y = H w2 + b2,  L = mean((y - t)^2)

and the gradients of L for W1 [B,m,n], b1 [B,1,m], w2 [B,m,1], b2 [B,1,1] (none for X).
The shapes, the loss and the FLOP count are those of the Rust benchmark.

The process pins itself to `--threads` CPUs (default 2) before either framework is
imported, and PyTorch is told the same count, so every side runs on the same cores.

Prints a report and, per framework, one line
    RESULT impl=<name> median_ms=<f> min_ms=<f> gflops=<f>
that bench/run.sh reads. Usage:
    python bench/reference.py [--threads 2] [--warmup 20] [--reps 200] [--only torch|jax]
"""

import argparse
import os
import platform
import statistics
import sys
import time

B, N, N_IN, M = 16, 1024, 16, 48


def gemm_flops():
    """Forward X W1^T (2BNnm) and H w2 (2BNm); backward dH = g w2^T, dw2 = H^T g (2BNm each), dW1 = dU^T X (2BNnm)."""
    return 4 * B * N * N_IN * M + 6 * B * N * M


def elementwise_flops():
    """Per BNm: bias 1, silu 4, its VJP 5, bias grad 1; per BN: bias 1, diff 1, square 1, sum 1, VJP 2, bias grad 1."""
    return 11 * B * N * M + 7 * B * N


def pin_to_cpus(threads):
    """Restricts this process to its first `threads` allowed CPUs; returns the CPU set."""
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < threads:
        sys.exit(f"--threads {threads} asks for more CPUs than the {len(allowed)} this process may use")
    chosen = set(allowed[:threads])
    os.sched_setaffinity(0, chosen)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    return chosen


def workload(seed=0):
    """Inputs, targets and initial weights as float32 numpy arrays (same distributions as the Rust side)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((B, N, N_IN), dtype=np.float32)
    t = np.abs(x).sum(axis=2, keepdims=True)
    w1 = rng.standard_normal((B, M, N_IN), dtype=np.float32) / np.float32(np.sqrt(N_IN))
    b1 = rng.standard_normal((B, 1, M), dtype=np.float32) * np.float32(0.1)
    w2 = rng.standard_normal((B, M, 1), dtype=np.float32) / np.float32(np.sqrt(M))
    b2 = np.zeros((B, 1, 1), dtype=np.float32)
    return x, t, (w1, b1, w2, b2)


def measure(step, warmup, reps):
    """Median and minimum milliseconds of `step()` over `reps` runs after `warmup` untimed ones."""
    for _ in range(warmup):
        step()
    ms = []
    for _ in range(max(reps, 1)):
        start = time.perf_counter()
        step()
        ms.append((time.perf_counter() - start) * 1e3)
    return statistics.median(ms), min(ms)


def torch_side(threads, data):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(threads)
    params = [torch.from_numpy(w.copy()).requires_grad_() for w in data[2]]
    x, t = torch.from_numpy(data[0]), torch.from_numpy(data[1])
    w1, b1, w2, b2 = params

    def step():
        for p in params:
            p.grad = None
        u = torch.matmul(x, w1.transpose(1, 2)) + b1
        y = torch.matmul(F.silu(u), w2) + b2
        loss = F.mse_loss(y, t)
        loss.backward()
        return loss

    loss = step()
    grads = [p.grad.numpy().copy() for p in params]
    return f"torch {torch.__version__}, {torch.get_num_threads()} threads", step, loss.item(), grads


def jax_side(threads, data):
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax
    import jax.numpy as jnp

    def loss_fn(params, x, t):
        w1, b1, w2, b2 = params
        u = jnp.matmul(x, jnp.swapaxes(w1, 1, 2)) + b1
        y = jnp.matmul(jax.nn.silu(u), w2) + b2
        return jnp.mean((y - t) ** 2)

    value_and_grad = jax.jit(jax.value_and_grad(loss_fn))
    x, t = jnp.asarray(data[0]), jnp.asarray(data[1])
    params = tuple(jnp.asarray(w) for w in data[2])

    def step():
        return jax.block_until_ready(value_and_grad(params, x, t))

    loss, grads = step()
    device = jax.devices()[0]
    return f"jax {jax.__version__} on {device.platform}", step, float(loss), [jax.device_get(g) for g in grads]


def max_relative_difference(a, b):
    import numpy as np

    return max(float(np.abs(p - q).max() / max(np.abs(q).max(), 1e-30)) for p, q in zip(a, b))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--only", choices=["torch", "jax"], action="append", help="run only this framework (repeatable)")
    args = parser.parse_args()
    if args.threads < 1 or args.reps < 1:
        sys.exit("--threads and --reps must be at least 1")

    cpus = pin_to_cpus(args.threads)
    data = workload()
    flops = gemm_flops() + elementwise_flops()
    print(f"machine: {platform.processor() or platform.machine()}, pinned to CPUs {sorted(cpus)}; python {platform.python_version()}")
    print(f"FLOPs per step: {gemm_flops()} in GEMMs + {elementwise_flops()} elementwise = {flops}")
    print(f"warmup {args.warmup} steps, then {args.reps} timed steps")

    sides = {"pytorch-eager": torch_side, "jax-jit": jax_side}
    wanted = {"torch": "pytorch-eager", "jax": "jax-jit"}
    names = [wanted[o] for o in args.only] if args.only else list(sides)
    first_grads = None
    for name in names:
        about, step, loss, grads = sides[name](args.threads, data)
        if first_grads is not None:
            diff = max_relative_difference(grads, first_grads)
            if diff > 1e-4:
                sys.exit(f"{name} gradients differ from the first framework's by {diff:.2e} (relative)")
        if first_grads is None:
            first_grads = grads
        median_ms, min_ms = measure(step, args.warmup, args.reps)
        gflops = flops / (median_ms * 1e-3) / 1e9
        print(f"{name:<16} median {median_ms:8.3f} ms   min {min_ms:8.3f} ms   {gflops:6.2f} GFLOP/s   loss {loss:.5f}   ({about})")
        print(f"RESULT impl={name} median_ms={median_ms:.4f} min_ms={min_ms:.4f} gflops={gflops:.3f}", flush=True)


if __name__ == "__main__":
    main()
