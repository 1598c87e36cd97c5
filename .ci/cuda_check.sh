#!/usr/bin/env bash
# The CUDA feature build and the compilation of every kernel to PTX, on a machine with
# no GPU; on a GPU machine the same run also checks every kernel against the CPU.
#
# NVRTC (CUDA 13) comes from PyPI (nvidia-cuda-nvrtc) into a virtual environment,
# $NVRTC_VENV or ~/.cache/nvrtc-venv, reused when already there; its lib folder goes
# on LD_LIBRARY_PATH. The parity tests print "SKIPPED: no CUDA device" when there is
# none; REQUIRE_GPU=1 turns that into a failure (use it on GPU machines).
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

venv="${NVRTC_VENV:-$HOME/.cache/nvrtc-venv}"
find_nvrtc() { { find "$venv" -path '*/nvidia/cu13/lib/libnvrtc.so.13' 2>/dev/null || true; } | head -n 1; }
nvrtc="$(find_nvrtc)"
if [ -z "$nvrtc" ]; then
  echo "== installing NVRTC (pip install nvidia-cuda-nvrtc) into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'nvidia-cuda-nvrtc>=13,<14'
  nvrtc="$(find_nvrtc)"
fi
if [ -z "$nvrtc" ]; then
  echo "error: libnvrtc.so.13 is not under $venv/.../nvidia/cu13/lib after installing nvidia-cuda-nvrtc" >&2
  exit 1
fi
export LD_LIBRARY_PATH="$(dirname "$nvrtc")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
echo "== NVRTC: $nvrtc (ready after $(( $(date +%s) - start )) s)"

echo "== cargo build --workspace --features cuda"
cargo build --release --workspace --features cuda

echo "== PTX compilation and device parity tests"
cargo test --release -p kernels --features cuda --lib --test cuda_ptx --test cuda_parity --test cuda_parity_steps -- --nocapture
cargo test --release -p autodiff --features cuda --test cuda_parity -- --nocapture
cargo test --release -p hypernet --features cuda --test generator_cuda_parity -- --nocapture

echo "== CUDA check finished in $(( $(date +%s) - start )) s"
