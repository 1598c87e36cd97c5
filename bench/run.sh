#!/usr/bin/env bash
# Runs our benchmarks and their PyTorch-eager and JAX-jit ports in turn on this machine,
# with the same thread count, and prints a table of times and ratios per workload:
#   target-mlp  the batched target-MLP training step (tests/examples/bench_target_mlp, bench/reference.py)
#   generator   one hypernetwork training step at the default configuration, both phases
#               (tests/examples/bench_generator_step, bench/generator_reference.py)
# See bench/README.md for installing PyTorch and JAX, and bench/reproduce.sh for the
# end-to-end `hnet reproduce` run.
#
# Ours and theirs alternate, ROUNDS times (default 3), so that a change in the machine's
# load falls on both sides; the summary gives, per implementation, the median of the
# rounds' medians and the minimum over all rounds.
#
#   bench/run.sh                          # both workloads; THREADS=2 WARMUP=20 REPS=200 ROUNDS=3
#   bench/run.sh generator                # one of them
#   THREADS=2 REPS=500 bench/run.sh target-mlp
#   PYTHON=/path/to/python bench/run.sh   # default: bench/.venv/bin/python
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS=${THREADS:-2}
WARMUP=${WARMUP:-20}
REPS=${REPS:-200}
ROUNDS=${ROUNDS:-3}
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

# summary TITLE: a table of the RESULT lines in $out, one row per implementation: the
# median of its rounds' medians and the minimum over its rounds. A row's phase is its
# name's "-warmup-phase"/"-priced-phase" ending (none for the target-MLP step); "ours
# faster by" is that row's time over ours-autodiff's (target-MLP) or ours-<phase>'s
# (generator).
summary() {
  awk -v title="$1" '
    function median(list,   k, x, c, i, j, t) {
      c = split(list, x, " ")
      for (i = 2; i <= c; i++) for (j = i; j > 1 && x[j - 1] + 0 > x[j] + 0; j--) { t = x[j]; x[j] = x[j - 1]; x[j - 1] = t }
      return c % 2 ? x[(c + 1) / 2] : (x[c / 2] + x[c / 2 + 1]) / 2
    }
    /^RESULT / {
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      impl = v["impl"]
      if (!(impl in meds)) { n++; name[n] = impl; mn[impl] = v["min_ms"]; gf[impl] = v["gflops"] * v["median_ms"] }
      meds[impl] = meds[impl] " " v["median_ms"]; rounds[impl]++
      if (v["min_ms"] + 0 < mn[impl] + 0) mn[impl] = v["min_ms"]
    }
    END {
      if (n == 0) { print "no RESULT lines: the runs above failed" > "/dev/stderr"; exit 1 }
      for (i = 1; i <= n; i++) {
        impl = name[i]; med[impl] = median(meds[impl])
        phase[impl] = match(impl, /(warmup|priced)-phase$/) ? substr(impl, RSTART) : ""
        if (impl == "ours-autodiff" || impl == "ours-" phase[impl]) { ref_med[phase[impl]] = med[impl]; ref_min[phase[impl]] = mn[impl] }
      }
      print "== " title " (" rounds[name[1]] " rounds; median of the rounds'"'"' medians, minimum over all; ours faster by = that row'"'"'s time / ours'"'"', same phase: above 1, ours is faster)"
      printf "%-28s %11s %10s %9s %9s %17s %17s\n", "impl", "median ms", "min ms", "GFLOP/s", "(at min)", "ours faster (med)", "ours faster (min)"
      for (i = 1; i <= n; i++) {
        impl = name[i]; flop_ms = gf[impl]
        printf "%-28s %11.3f %10.3f %9.2f %9.2f %17.2f %17.2f\n", impl, med[impl], mn[impl], flop_ms / med[impl], flop_ms / mn[impl], med[impl] / ref_med[phase[impl]], mn[impl] / ref_min[phase[impl]]
      }
    }' "$out"
}

for w in "${WORKLOADS[@]}"; do
  : > "$out"
  case "$w" in
    target-mlp)
      args=(--threads "$THREADS" --warmup "$WARMUP" --reps "$REPS")
      ours=(target/release/examples/bench_target_mlp); theirs=(bench/reference.py); title="target-MLP step" ;;
    generator)
      args=(--threads "$THREADS" --warmup "$((WARMUP / 2 > 0 ? WARMUP / 2 : 1))" --reps "$((REPS / 2 > 0 ? REPS / 2 : 1))")
      ours=(target/release/examples/bench_generator_step); theirs=(bench/generator_reference.py); title="generator training step" ;;
  esac
  for round in $(seq "$ROUNDS"); do
    echo "== $title, round $round of $ROUNDS: ours (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    "${pin[@]}" "${ours[@]}" "${args[@]}" | tee -a "$out"
    echo "== $title, round $round of $ROUNDS: PyTorch and JAX (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    "$PYTHON" "${theirs[@]}" "${args[@]}" | tee -a "$out"
  done
  summary "$title, $THREADS threads"
  echo "== load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
done
