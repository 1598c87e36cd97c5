"""One hypernetwork training step at the default configuration, in PyTorch (eager) and JAX (jit).

The computation of `tests/examples/bench_generator_step` (our `GeneratorTrainer::train_step`
at `GeneratorTrainConfig::default()`), with the same shapes, parameters and f32:

* draw B = 16 values log10 beta ~ U[-6, 1], node noise z [B, T, 8] (T = n + m + 1 = 65
  nodes, n = 16 inputs, m = 48 hidden, 1 output), the weight noise, and inputs
  x [B, N = 256, n] ~ N(0, 1) with targets y = sum_k |x_k|;
* the generator (`hypernet/src/generator/*.rs`): beta code `c = silu(W2 silu(W1 l + b1) + b2)`
  of `l = (log10 beta + 2.5) / 3.5`; node features `h = z P + b + E[type]`; 3 pre-norm blocks
  `h += Attn(FiLM(h))`, `h += W_2 silu(W_1 FiLM(h))` with `FiLM(h) = (1 + gamma(c)) LN(h) + shift(c)`
  and 4-head full self-attention (width 32); readout of b1, w2, b2 from the hidden and output
  nodes and of W1 by the balanced pointer (5 Sinkhorn rounds on 3 q.k/sqrt(16) logits) times
  tanh of a second bilinear form times softplus(head + 1); per-tensor sigmas from `c`;
  sampled weights `mu + sigma eps` and their KL in bits against N(0, sp^2);
* the B target networks n -> m -> 1 (silu) on their inputs, normalised MSE, the loss
  `mean_b(nMSE_b + beta_b bits_b / 865)` (price 0 in the warm-up phase, which also evaluates
  the mean weights instead of the samples), backward, global gradient clipping at 1,
  Adam (lr from the warm-up + cosine schedule).

Both phases of training are timed (`warmup-phase`, `priced-phase`). Before timing, PyTorch
and JAX are run on the same inputs and parameters and their losses and gradients compared.

Prints, per framework and phase, one line
    RESULT impl=<framework>-<phase> median_ms=<f> min_ms=<f> gflops=<f>
that bench/run.sh reads. Usage:
    python bench/generator_reference.py [--threads 2] [--warmup 10] [--reps 100] [--only torch|jax]
"""

import argparse
import math
import platform
import sys

from reference import measure, pin_to_cpus

# GeneratorTrainConfig::default() and GeneratorConfig::default().
B, N, N_IN, HIDDEN_PER_INPUT = 16, 256, 16, 3
M = HIDDEN_PER_INPUT * N_IN
T = N_IN + M + 1
WIDTH, BLOCKS, HEADS, NOISE_DIM, KEY_DIM, COND_WIDTH = 32, 3, 4, 8, 16, 32
LOG10_BETA_MIN, LOG10_BETA_MAX = -6.0, 1.0
CENTER, HALFWIDTH = -2.5, 3.5
PRIORS = [1.0, 1.0, 1.0 / math.sqrt(M), 10.0]  # sp for W1, b1, w2, b2
INITIAL_SIGMA_FRACTION = 0.1
B2_NODE_SCALE, POINTER_LOGIT_GAIN, SINKHORN_ITERATIONS = 1.0 / 48.0, 3.0, 5
WEIGHT_COUNT = M * (N_IN + 2) + 1
VARIANCE = N_IN * (1.0 - 2.0 / math.pi)  # Var of the L1 norm of n standard normals
MEAN_TARGET = N_IN * math.sqrt(2.0 / math.pi)
LR, FINAL_LR, LR_WARMUP, STEPS, CLIP = 2e-3, 1e-4, 200, 8000, 1.0
COMPLEXITY_WARMUP_STEPS = STEPS // 2


def step_flops():
    """Matrix-product FLOPs forward and backward, as `tests/examples/bench_generator_step/flops.rs` counts them."""

    def product(batch, m, k, n, grads):
        return 2 * batch * m * k * n * (1 + grads)

    d, c, rows, dh = WIDTH, COND_WIDTH, B * T, WIDTH // HEADS
    f = product(1, rows, NOISE_DIM, d, 1) + product(1, B, 1, c, 1) + product(1, B, c, c, 2)
    per_block = (2 * product(1, B, c, 2 * d, 2) + product(1, rows, d, 3 * d, 2) + 2 * product(B * HEADS, T, dh, T, 2)
                 + product(1, rows, d, d, 2) + product(1, rows, d, 2 * d, 2) + product(1, rows, 2 * d, d, 2))
    f += BLOCKS * per_block
    bilinear = product(1, B * M, d, KEY_DIM, 2) + product(1, B * N_IN, d, KEY_DIM, 2) + product(B, M, KEY_DIM, N_IN, 2)
    f += product(1, B * M, d, 4, 2) + product(1, B, d, 1, 2) + 2 * bilinear
    f += product(1, B, c, 4, 2)
    f += product(B, N, N_IN, M, 1) + product(B, N, M, 1, 2)
    return f


def learning_rate(step):
    """`WarmupCosine::lr`."""
    if step < LR_WARMUP:
        return LR * step / LR_WARMUP
    progress = (step - LR_WARMUP) / (STEPS - LR_WARMUP)
    return FINAL_LR + (LR - FINAL_LR) * (1 + math.cos(math.pi * progress)) / 2


def initial_parameters(seed=0):
    """Every generator parameter as a float32 numpy array, initialised as `Generator::new` does."""
    import numpy as np

    rng = np.random.default_rng(seed)
    params = {}

    def normal(name, shape, scale):
        params[name] = (rng.standard_normal(shape) * scale).astype(np.float32)

    def linear(name, d_in, d_out, gain=1.0, bias=0.0):
        normal(f"{name}.weight", (d_in, d_out), gain / math.sqrt(d_in))
        params[f"{name}.bias"] = np.full((d_out,), bias, dtype=np.float32)

    d = WIDTH
    normal("node_type_embedding", (3, d), 1.0)
    linear("noise_projection", NOISE_DIM, d)
    linear("beta_code.first", 1, COND_WIDTH)
    linear("beta_code.second", COND_WIDTH, COND_WIDTH)
    for i in range(BLOCKS):
        linear(f"block{i}.attn_norm", COND_WIDTH, 2 * d, 0.1)
        linear(f"block{i}.qkv", d, 3 * d)
        linear(f"block{i}.attn_out", d, d, 0.5)
        linear(f"block{i}.mlp_norm", COND_WIDTH, 2 * d, 0.1)
        linear(f"block{i}.fc1", d, 2 * d)
        linear(f"block{i}.fc2", 2 * d, d, 0.5)
    linear("readout.hidden", d, 4)
    linear("readout.out", d, 1)
    for name in ("readout.w1", "readout.w1_sign"):
        linear(f"{name}.q", d, KEY_DIM)
        linear(f"{name}.k", d, KEY_DIM)
    f = INITIAL_SIGMA_FRACTION
    linear("sigma.tensor", COND_WIDTH, 4, 0.1, math.log(f / (1 - f)))
    params["readout.hidden.bias"][2] = MEAN_TARGET / (B2_NODE_SCALE * M)  # Readout::init_output_bias
    return params


def step_inputs(rng):
    """One step's random inputs as numpy arrays: log10 beta, node noise, weight noise, x, y."""
    import numpy as np

    lb = rng.uniform(LOG10_BETA_MIN, LOG10_BETA_MAX, B).astype(np.float32)
    z = rng.standard_normal((B, T, NOISE_DIM), dtype=np.float32)
    eps = [rng.standard_normal(s, dtype=np.float32) for s in ((B, M, N_IN), (B, M), (B, M), (B,))]
    x = rng.standard_normal((B, N, N_IN), dtype=np.float32)
    return lb, z, eps, x, np.abs(x).sum(-1)


def loss_function(nn):
    """The step's loss as a function of (params, log10 beta, z, eps, x, y, priced), over the array library `nn`."""

    def linear(p, name, x):
        return nn.matmul(x, p[f"{name}.weight"]) + p[f"{name}.bias"]

    def film(p, name, h, code):
        gs = linear(p, name, code).reshape(B, 1, 2 * WIDTH)
        gamma, shift = gs[..., :WIDTH], gs[..., WIDTH:]
        normed = nn.layer_norm(h)
        return normed + normed * gamma + shift

    def attention(p, name, x):
        dh = WIDTH // HEADS
        qkv = linear(p, f"{name}.qkv", x)

        def split(i):
            return nn.permute(qkv[..., i * WIDTH:(i + 1) * WIDTH].reshape(B, T, HEADS, dh), (0, 2, 1, 3))

        q, k, v = split(0), split(1), split(2)
        scores = nn.matmul(q, nn.swap_last(k)) * (1.0 / math.sqrt(dh))
        mixed = nn.matmul(nn.softmax(scores, -1), v)
        return linear(p, f"{name}.attn_out", nn.permute(mixed, (0, 2, 1, 3)).reshape(B, T, WIDTH))

    def block(p, name, h, code):
        h = h + attention(p, name, film(p, f"{name}.attn_norm", h, code))
        inner = nn.silu(linear(p, f"{name}.fc1", film(p, f"{name}.mlp_norm", h, code)))
        return h + linear(p, f"{name}.fc2", inner)

    def bilinear(p, name, rows, cols):
        return nn.matmul(linear(p, f"{name}.q", rows), nn.swap_last(linear(p, f"{name}.k", cols))) * (1.0 / math.sqrt(KEY_DIM))

    def balanced_pointer(logits):
        column_mass = math.log(M / N_IN)
        l = logits
        for _ in range(SINKHORN_ITERATIONS):
            l = l - nn.logsumexp(l, 2)
            l = l - nn.logsumexp(l, 1) + column_mass
        return nn.exp(l)

    def readout(p, h):
        inputs, hidden, output = h[:, :N_IN], h[:, N_IN:N_IN + M], h[:, N_IN + M:]
        heads = linear(p, "readout.hidden", hidden)
        b2 = heads[..., 2].sum(1) * B2_NODE_SCALE + linear(p, "readout.out", output).reshape(B)
        pointer = balanced_pointer(bilinear(p, "readout.w1", hidden, inputs) * POINTER_LOGIT_GAIN)
        magnitude = nn.softplus(heads[..., 3:4] + 1.0)
        w1 = pointer * nn.tanh(bilinear(p, "readout.w1_sign", hidden, inputs)) * magnitude
        return [w1, heads[..., 0], heads[..., 1] * (1.0 / math.sqrt(M)), b2]

    def log_sigmas(p, code):
        s = linear(p, "sigma.tensor", code)
        shapes = [(B, 1, 1), (B, 1), (B, 1), (B,)]
        return [(-nn.softplus(-s[:, t:t + 1]) + math.log(PRIORS[t])).reshape(shapes[t]) for t in range(4)]

    def kl_bits(mu, log_sigma, sp):
        nats = -log_sigma + (math.log(sp) - 0.5) + (nn.exp(2.0 * log_sigma) + mu * mu) * (0.5 / (sp * sp))
        return nats.reshape(B, -1).sum(1) * (1.0 / math.log(2.0))

    def loss(p, lb, z, eps, x, y, priced):
        l = ((lb - CENTER) / HALFWIDTH).reshape(B, 1)
        code = nn.silu(linear(p, "beta_code.second", nn.silu(linear(p, "beta_code.first", l))))
        h = linear(p, "noise_projection", z) + nn.take_rows(p["node_type_embedding"], [0] * N_IN + [1] * M + [2])
        for i in range(BLOCKS):
            h = block(p, f"block{i}", h, code)
        mean = readout(p, h)
        sample, bits = [], 0.0
        for t, (mu, ls, e) in enumerate(zip(mean, log_sigmas(p, code), eps)):
            ls = nn.broadcast_to(ls, mu.shape)
            sample.append(mu + nn.exp(ls) * e)
            bits = bits + kl_bits(mu, ls, PRIORS[t])
        w1, b1, w2, b2 = sample if priced else mean
        hid = nn.silu(nn.matmul(x, nn.swap_last(w1)) + b1.reshape(B, 1, M))
        pred = nn.matmul(hid, w2.reshape(B, M, 1)).reshape(B, N) + b2.reshape(B, 1)
        nmse = ((pred - y) ** 2).mean(-1) * (1.0 / VARIANCE)
        price = 10.0 ** lb * (1.0 / WEIGHT_COUNT) if priced else 0.0 * lb
        return (nmse + bits * price).mean()

    return loss


class TorchOps:
    """The array operations `loss_function` needs, in PyTorch."""

    def __init__(self):
        import torch
        import torch.nn.functional as F

        self.torch, self.F = torch, F
        self.matmul, self.exp, self.tanh = torch.matmul, torch.exp, torch.tanh
        self.silu, self.softplus = F.silu, F.softplus

    def layer_norm(self, h):
        return self.F.layer_norm(h, (h.shape[-1],), eps=1e-5)

    def permute(self, x, axes):
        return x.permute(*axes)

    def swap_last(self, x):
        return x.transpose(-1, -2)

    def softmax(self, x, axis):
        return self.torch.softmax(x, axis)

    def logsumexp(self, x, axis):
        return self.torch.logsumexp(x, axis, keepdim=True)

    def take_rows(self, table, rows):
        return table[self.torch.tensor(rows)]

    def broadcast_to(self, x, shape):
        return x.expand(shape)


class JaxOps:
    """The array operations `loss_function` needs, in JAX."""

    def __init__(self):
        import jax
        import jax.numpy as jnp
        from jax.scipy.special import logsumexp

        self.jnp, self._logsumexp = jnp, logsumexp
        self.matmul, self.exp, self.tanh = jnp.matmul, jnp.exp, jnp.tanh
        self.silu, self.softplus = jax.nn.silu, jax.nn.softplus
        self.softmax = jax.nn.softmax
        self.permute, self.broadcast_to = jnp.transpose, jnp.broadcast_to

    def layer_norm(self, h):
        mu = h.mean(-1, keepdims=True)
        var = ((h - mu) ** 2).mean(-1, keepdims=True)
        return (h - mu) / self.jnp.sqrt(var + 1e-5)

    def swap_last(self, x):
        return self.jnp.swapaxes(x, -1, -2)

    def logsumexp(self, x, axis):
        return self._logsumexp(x, axis, keepdims=True)

    def take_rows(self, table, rows):
        return table[self.jnp.asarray(rows)]


def torch_side(threads, params0, check_inputs):
    import torch

    torch.set_num_threads(threads)
    loss_fn = loss_function(TorchOps())
    params = {k: torch.from_numpy(v.copy()).requires_grad_() for k, v in params0.items()}
    names = sorted(params)
    optimizer = torch.optim.Adam([params[k] for k in names], lr=LR, betas=(0.9, 0.999), eps=1e-8)

    def as_torch(inputs):
        lb, z, eps, x, y = inputs
        return torch.from_numpy(lb), torch.from_numpy(z), [torch.from_numpy(e) for e in eps], torch.from_numpy(x), torch.from_numpy(y)

    def check():
        for p in params.values():
            p.grad = None
        loss = loss_fn(params, *as_torch(check_inputs), True)
        loss.backward()
        return loss.item(), {k: params[k].grad.numpy().copy() for k in names}

    def stepper(priced):
        count = [COMPLEXITY_WARMUP_STEPS if priced else 0]

        def step():
            optimizer.zero_grad(set_to_none=True)
            lb = torch.rand(B) * (LOG10_BETA_MAX - LOG10_BETA_MIN) + LOG10_BETA_MIN
            z = torch.randn(B, T, NOISE_DIM)
            eps = [torch.randn(B, M, N_IN), torch.randn(B, M), torch.randn(B, M), torch.randn(B)]
            x = torch.randn(B, N, N_IN)
            loss = loss_fn(params, lb, z, eps, x, x.abs().sum(-1), priced)
            loss.backward()
            torch.nn.utils.clip_grad_norm_([params[k] for k in names], CLIP)
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(count[0])
            optimizer.step()
            count[0] += 1
            return loss

        return step

    return f"torch {torch.__version__}, {torch.get_num_threads()} threads", check, stepper


def jax_side(threads, params0, check_inputs):
    import os

    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax
    import jax.numpy as jnp

    loss_fn = loss_function(JaxOps())
    params = {k: jnp.asarray(v) for k, v in params0.items()}

    def check():
        lb, z, eps, x, y = check_inputs
        loss, grads = jax.value_and_grad(loss_fn)(params, lb, z, eps, x, y, True)
        return float(loss), {k: jax.device_get(g) for k, g in grads.items()}

    def train_step(params, m, v, step, key, lr, priced):
        k = jax.random.split(key, 8)
        lb = jax.random.uniform(k[0], (B,), minval=LOG10_BETA_MIN, maxval=LOG10_BETA_MAX)
        z = jax.random.normal(k[1], (B, T, NOISE_DIM))
        eps = [jax.random.normal(k[2 + i], s) for i, s in enumerate(((B, M, N_IN), (B, M), (B, M), (B,)))]
        x = jax.random.normal(k[6], (B, N, N_IN))
        loss, grads = jax.value_and_grad(loss_fn)(params, lb, z, eps, x, jnp.abs(x).sum(-1), priced)
        norm = jnp.sqrt(sum(jnp.sum(g * g) for g in jax.tree_util.tree_leaves(grads)))
        scale = jnp.where(norm > CLIP, CLIP / norm, 1.0)
        t = step + 1.0
        bc1, bc2 = 1.0 - 0.9 ** t, 1.0 - 0.999 ** t

        def adam(p, g, m, v):
            g = g * scale
            m = 0.9 * m + 0.1 * g
            v = 0.999 * v + 0.001 * g * g
            return p - lr * (m / bc1) / (jnp.sqrt(v / bc2) + 1e-8), m, v

        updated = {name: adam(params[name], grads[name], m[name], v[name]) for name in params}
        new = {name: u[0] for name, u in updated.items()}
        return new, {name: u[1] for name, u in updated.items()}, {name: u[2] for name, u in updated.items()}, loss

    jitted = jax.jit(train_step, static_argnames="priced")

    def stepper(priced):
        state = {
            "params": params,
            "m": {k: jnp.zeros_like(p) for k, p in params.items()},
            "v": {k: jnp.zeros_like(p) for k, p in params.items()},
            "step": COMPLEXITY_WARMUP_STEPS if priced else 0,
            "key": jax.random.PRNGKey(1),
        }

        def step():
            key, sub = jax.random.split(state["key"])
            out = jitted(state["params"], state["m"], state["v"], float(state["step"]), sub, learning_rate(state["step"]), priced)
            state["params"], state["m"], state["v"], loss = jax.block_until_ready(out)
            state["key"] = key
            state["step"] += 1
            return loss

        return step

    return f"jax {jax.__version__} on {jax.devices()[0].platform}", check, stepper


def max_relative_difference(a, b):
    """Largest difference over all tensors, relative to that tensor's largest magnitude, or
    to 1e-3 of the largest gradient anywhere for tensors whose gradient is nearly 0
    (`readout.w1.k.bias`: a bias of the keys shifts each pointer row by a constant,
    which the Sinkhorn rows remove, so its gradient is rounding noise)."""
    import numpy as np

    floor = 1e-3 * max(float(np.abs(v).max()) for v in b.values())
    return max(float(np.abs(a[k] - b[k]).max() / max(np.abs(b[k]).max(), floor)) for k in b)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--reps", type=int, default=100)
    parser.add_argument("--only", choices=["torch", "jax"], action="append", help="run only this framework (repeatable)")
    args = parser.parse_args()
    if args.threads < 1 or args.reps < 1:
        sys.exit("--threads and --reps must be at least 1")

    import numpy as np

    cpus = pin_to_cpus(args.threads)
    params0 = initial_parameters()
    check_inputs = step_inputs(np.random.default_rng(1))
    flops = step_flops()
    print(f"machine: {platform.processor() or platform.machine()}, pinned to CPUs {sorted(cpus)}; python {platform.python_version()}")
    print(f"generator step: B={B} N={N} n={N_IN} m={M}, {sum(p.size for p in params0.values())} parameters; "
          f"{flops / 1e6:.1f} MFLOP in matrix products (forward + backward)")
    print(f"warmup {args.warmup} steps, then {args.reps} timed steps per phase")

    sides = {"pytorch-eager": torch_side, "jax-jit": jax_side}
    wanted = {"torch": "pytorch-eager", "jax": "jax-jit"}
    names = [wanted[o] for o in args.only] if args.only else list(sides)
    reference = None
    for name in names:
        about, check, stepper = sides[name](args.threads, params0, check_inputs)
        loss, grads = check()
        if reference is not None:
            diff = max_relative_difference(grads, reference[1])
            print(f"{name}: loss {loss:.6f} vs {reference[0]:.6f}; gradients agree to {diff:.2e} (relative, worst tensor)")
            if diff > 1e-3 or abs(loss - reference[0]) > 1e-4 * abs(reference[0]):
                sys.exit(f"{name} disagrees with the first framework: loss {loss} vs {reference[0]}, gradients {diff:.2e}")
        else:
            reference = (loss, grads)
        for phase, priced in (("warmup-phase", False), ("priced-phase", True)):
            median_ms, min_ms = measure(stepper(priced), args.warmup, args.reps)
            gflops = flops / (median_ms * 1e-3) / 1e9
            print(f"{name:<14} {phase:<13} median {median_ms:8.3f} ms   min {min_ms:8.3f} ms   {gflops:6.2f} GFLOP/s   ({about})")
            print(f"RESULT impl={name}-{phase} median_ms={median_ms:.4f} min_ms={min_ms:.4f} gflops={gflops:.3f}", flush=True)


if __name__ == "__main__":
    main()
