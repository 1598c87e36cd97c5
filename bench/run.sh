#!/usr/bin/env bash
# Runs our benchmarks and their PyTorch-eager and JAX-jit ports in turn on this machine,
# with the same thread count, and prints a table of times and ratios per workload:
#   target-mlp  the batched target-MLP training step (tests/examples/bench_target_mlp, bench/reference.py)
#   generator   one hypernetwork training step at the default configuration, both phases
#               (tests/examples/bench_generator_step, bench/generator_reference.py)
# See bench/README.md for installing PyTorch and JAX, and bench/reproduce.sh for the
# end-to-end `hnet reproduce` run.
#
#   bench/run.sh                          # both workloads; THREADS=2 WARMUP=20 REPS=200
#   bench/run.sh generator                # one of them
#   THREADS=2 REPS=500 bench/run.sh target-mlp
#   PYTHON=/path/to/python bench/run.sh   # default: bench/.venv/bin/python
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS=${THREADS:-2}
WARMUP=${WARMUP:-20}
REPS=${REPS:-200}
PYTHON=${PYTHON:-bench/.venv/bin/python}
WORKLOADS=("$@")
[ ${#WORKLOADS[@]} -gt 0 ] || WORKLOADS=(target-mlp generator)
for w in "${WORKLOADS[@]}"; do
  case "$w" in
    target-mlp|generator) ;;
    *) echo "unknown workload '$w': use target-mlp and/or generator" >&2; exit 1 ;;
  esac
done

if [ ! -x "$PYTHON" ]; then
  echo "no Python with PyTorch and JAX at $PYTHON: follow bench/README.md, or set PYTHON=/path/to/python" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import torch, jax' 2>/dev/null; then
  echo "$PYTHON cannot import torch and jax: install them as bench/README.md says" >&2
  exit 1
fi

# Our side on the same first $THREADS CPUs that the Python side pins itself to.
pin=()
if command -v taskset >/dev/null && [ "$(nproc)" -gt "$THREADS" ]; then
  pin=(taskset -c "$("$PYTHON" -c "import os; print(','.join(map(str, sorted(os.sched_getaffinity(0))[:$THREADS])))")")
fi

echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p'), load average $(cut -d' ' -f1-3 /proc/loadavg)"
cargo build --release --quiet -p tests --example bench_target_mlp --example bench_generator_step
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# summary TITLE: a table of the RESULT lines in $out. A row's phase is its name's
# "-warmup-phase"/"-priced-phase" ending (none for the target-MLP step); "ours faster by"
# is that row's time over ours-autodiff's (target-MLP) or ours-<phase>'s (generator).
summary() {
  awk -v title="$1" '
    /^RESULT / {
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      n++; name[n] = v["impl"]; med[n] = v["median_ms"]; mn[n] = v["min_ms"]; gf[n] = v["gflops"]
      phase[n] = match(v["impl"], /(warmup|priced)-phase$/) ? substr(v["impl"], RSTART) : ""
      if (v["impl"] == "ours-autodiff" || v["impl"] == "ours-" phase[n]) { ref_med[phase[n]] = med[n]; ref_min[phase[n]] = mn[n] }
    }
    END {
      if (n == 0) { print "no RESULT lines: the runs above failed" > "/dev/stderr"; exit 1 }
      print "== " title " (ours faster by = that row'"'"'s time / ours'"'"', same phase: above 1, ours is faster)"
      printf "%-28s %11s %10s %9s %17s %17s\n", "impl", "median ms", "min ms", "GFLOP/s", "ours faster (med)", "ours faster (min)"
      for (i = 1; i <= n; i++)
        printf "%-28s %11.3f %10.3f %9.2f %17.2f %17.2f\n", name[i], med[i], mn[i], gf[i], med[i] / ref_med[phase[i]], mn[i] / ref_min[phase[i]]
    }' "$out"
}

for w in "${WORKLOADS[@]}"; do
  : > "$out"
  case "$w" in
    target-mlp)
      args=(--threads "$THREADS" --warmup "$WARMUP" --reps "$REPS")
      echo "== target-MLP step: ours"
      "${pin[@]}" target/release/examples/bench_target_mlp "${args[@]}" | tee -a "$out"
      echo "== target-MLP step: PyTorch and JAX"
      "$PYTHON" bench/reference.py "${args[@]}" | tee -a "$out"
      summary "target-MLP step, $THREADS threads" ;;
    generator)
      args=(--threads "$THREADS" --warmup "$((WARMUP / 2 > 0 ? WARMUP / 2 : 1))" --reps "$((REPS / 2 > 0 ? REPS / 2 : 1))")
      echo "== generator step: ours"
      "${pin[@]}" target/release/examples/bench_generator_step "${args[@]}" | tee -a "$out"
      echo "== generator step: PyTorch and JAX"
      "$PYTHON" bench/generator_reference.py "${args[@]}" | tee -a "$out"
      summary "generator training step, $THREADS threads" ;;
  esac
done
