#!/usr/bin/env bash
# Paper-scale reproduction on a Slurm cluster: one array task per seed, then one job that
# assembles the report from every seed's output (the same report as a single
# `hnet reproduce` run with those seeds; tested in interpret/tests/reproduce.rs).
#
#   sbatch --array=0-32 scripts/slurm_reproduce.sh train      # 33 seeds, one job each
#   sbatch --dependency=afterok:<ARRAY_JOB_ID> scripts/slurm_reproduce.sh assemble
#
# Environment: CONFIG (default: the --full preset), RUNS (default runs/full), OUT
# (default report-full), BASE_SEED (default 0), HNET (default target/release/hnet).
#SBATCH --job-name=hnet-reproduce
#SBATCH --cpus-per-task=2
#SBATCH --time=24:00:00
set -euo pipefail
HNET=${HNET:-target/release/hnet}
RUNS=${RUNS:-runs/full}
OUT=${OUT:-report-full}
BASE_SEED=${BASE_SEED:-0}
config_args=(--full)
[ -n "${CONFIG:-}" ] && config_args=(--config "$CONFIG")

case "${1:-}" in
  train)
    task=${SLURM_ARRAY_TASK_ID:?run as an array job: sbatch --array=0-32 $0 train}
    seed=$((BASE_SEED + task))
    exec "$HNET" reproduce "${config_args[@]}" --seed "$seed" --seeds 1 --train-only --out "$RUNS/seed-$seed"
    ;;
  assemble)
    exec "$HNET" reproduce "${config_args[@]}" --from "$RUNS"/seed-* --out "$OUT"
    ;;
  *)
    echo "usage: $0 train|assemble (see the comment at the top of this script)" >&2
    exit 2
    ;;
esac
