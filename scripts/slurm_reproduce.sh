#!/usr/bin/env bash
# Paper-scale reproduction on a Slurm cluster: one array task per seed, then one job that
# assembles the report from every seed's output (the same summary.json as a single
# `hnet reproduce` run with those seeds: interpret/tests/reproduce.rs checks the split,
# scripts/slurm_selftest.sh runs this script on a real single-node Slurm).
#
#   sbatch --array=0-32 scripts/slurm_reproduce.sh train      # 33 seeds, one job each
#   sbatch --dependency=afterok:<ARRAY_JOB_ID> scripts/slurm_reproduce.sh assemble
#
# Submit from the checkout (or set HNET and give RUNS and OUT as absolute paths): jobs
# run in the folder they were submitted from. Each job uses --cpus-per-task threads.
#
# Environment (sbatch passes the submitting shell's on to the jobs):
#   PRESET     quick, default or full (default: full);
#   CONFIG     a TOML file whose keys replace the preset's (optional);
#   RUNS       the per-seed training folders (default runs/full);
#   OUT        the report folder (default report-full);
#   BASE_SEED  the seed of array task 0 (default 0);
#   HNET       the hnet binary (default target/release/hnet).
#SBATCH --job-name=hnet-reproduce
#SBATCH --cpus-per-task=2
#SBATCH --time=24:00:00
set -euo pipefail
HNET=${HNET:-target/release/hnet}
RUNS=${RUNS:-runs/full}
OUT=${OUT:-report-full}
BASE_SEED=${BASE_SEED:-0}
PRESET=${PRESET:-full}

fail() { echo "slurm_reproduce.sh: $*" >&2; exit 2; }

[ -x "$HNET" ] || fail "no hnet binary at '$HNET' (from $(pwd)): build it with 'cargo build --release -p interpret' and submit from the checkout, or set HNET"
case "$PRESET" in
  quick | full) config_args=(--"$PRESET") ;;
  default) config_args=() ;;
  *) fail "PRESET must be quick, default or full, got '$PRESET'" ;;
esac
if [ -n "${CONFIG:-}" ]; then
  config_args+=(--config "$CONFIG")
fi
# Rayon would otherwise start one thread per core of the node, not per allocated CPU.
if [ -n "${SLURM_CPUS_PER_TASK:-}" ]; then
  export RAYON_NUM_THREADS=$SLURM_CPUS_PER_TASK
fi

case "${1:-}" in
  train)
    task=${SLURM_ARRAY_TASK_ID:?run as an array job: sbatch --array=0-32 scripts/slurm_reproduce.sh train}
    seed=$((BASE_SEED + task))
    exec "$HNET" reproduce "${config_args[@]}" --seed "$seed" --seeds 1 --train-only --out "$RUNS/seed-$seed"
    ;;
  assemble)
    # The configuration comes from the seeds' folders (--from takes no preset or --config).
    parts=("$RUNS"/seed-*)
    [ -d "${parts[0]}" ] || fail "no trained seed in $RUNS (expected $RUNS/seed-K folders from the train array)"
    exec "$HNET" reproduce --from "${parts[@]}" --out "$OUT"
    ;;
  *)
    fail "usage: slurm_reproduce.sh train|assemble (see the comment at the top of this script)"
    ;;
esac
