#!/usr/bin/env bash
# Runs the target-MLP benchmark on our side (autodiff and direct) and on PyTorch eager
# and JAX jit, in turn on this machine with the same thread count, and prints a table
# with the time ratios. See bench/README.md for installing PyTorch and JAX.
#
#   bench/run.sh                       # THREADS=2 WARMUP=20 REPS=200 by default
#   THREADS=2 REPS=500 bench/run.sh
#   PYTHON=/path/to/python bench/run.sh   # default: bench/.venv/bin/python
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS=${THREADS:-2}
WARMUP=${WARMUP:-20}
REPS=${REPS:-200}
PYTHON=${PYTHON:-bench/.venv/bin/python}

if [ ! -x "$PYTHON" ]; then
  echo "no Python with PyTorch and JAX at $PYTHON: follow bench/README.md, or set PYTHON=/path/to/python" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import torch, jax' 2>/dev/null; then
  echo "$PYTHON cannot import torch and jax: install them as bench/README.md says" >&2
  exit 1
fi

args=(--threads "$THREADS" --warmup "$WARMUP" --reps "$REPS")
# Our side on the same first $THREADS CPUs that reference.py pins itself to.
pin=()
if command -v taskset >/dev/null && [ "$(nproc)" -gt "$THREADS" ]; then
  pin=(taskset -c "$("$PYTHON" -c "import os; print(','.join(map(str, sorted(os.sched_getaffinity(0))[:$THREADS])))")")
fi

echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
cargo build --release --quiet -p tests --example bench_target_mlp
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "== ours"
"${pin[@]}" target/release/examples/bench_target_mlp "${args[@]}" | tee -a "$out"
echo "== PyTorch and JAX"
"$PYTHON" bench/reference.py "${args[@]}" | tee -a "$out"

echo "== summary ($THREADS threads; x-autodiff = ours-autodiff time / that row's time: above 1, ours-autodiff is that many times slower)"
awk '
  /^RESULT / {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    n++; name[n] = v["impl"]; med[n] = v["median_ms"]; mn[n] = v["min_ms"]; gf[n] = v["gflops"]
    if (v["impl"] == "ours-autodiff") { ref_med = v["median_ms"]; ref_min = v["min_ms"] }
  }
  END {
    if (n == 0 || ref_med == "") { print "no RESULT line from ours-autodiff: the runs above failed" > "/dev/stderr"; exit 1 }
    printf "%-16s %12s %10s %10s %16s %16s\n", "impl", "median ms", "min ms", "GFLOP/s", "x-autodiff(med)", "x-autodiff(min)"
    for (i = 1; i <= n; i++)
      printf "%-16s %12.3f %10.3f %10.2f %16.2f %16.2f\n", name[i], med[i], mn[i], gf[i], ref_med / med[i], ref_min / mn[i]
  }' "$out"
