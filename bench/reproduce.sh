#!/usr/bin/env bash
# `hnet reproduce` at its default configuration, end to end (ours only): wall time and
# peak memory (maximum resident set size, from GNU time). Takes about ten minutes on 2 cores.
#
#   bench/reproduce.sh                 # report into a temporary folder, deleted afterwards
#   OUT=/path/to/report bench/reproduce.sh
#   bench/reproduce.sh --quick         # extra arguments go to `hnet reproduce`
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/time ]; then
  echo "needs GNU time at /usr/bin/time (Debian/Ubuntu: apt-get install time)" >&2
  exit 1
fi
cargo build --release --quiet --bin hnet
out=${OUT:-$(mktemp -d)}
log=$(mktemp)
trap 'rm -f "$log"; [ -n "${OUT:-}" ] || rm -rf "$out"' EXIT

echo "== $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); report in $out"
/usr/bin/time -v -o "$log" target/release/hnet reproduce --force --out "$out" "$@"
wall=$(sed -n 's/^\s*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log")
rss_kb=$(sed -n 's/^\s*Maximum resident set size (kbytes): //p' "$log")
seconds=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
echo "hnet reproduce: wall $wall ($seconds s), peak memory $((rss_kb / 1024)) MiB"
echo "RESULT impl=ours-reproduce wall_s=$seconds peak_mib=$((rss_kb / 1024))"
