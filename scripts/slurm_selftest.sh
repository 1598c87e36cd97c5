#!/usr/bin/env bash
# Self-test of scripts/slurm_reproduce.sh on a real single-node Slurm started on this
# machine (Debian/Ubuntu, as root; not part of CI: it installs packages and starts
# daemons, and takes a few minutes).
#
#   cargo build --release -p interpret      # or set HNET to an hnet binary
#   sudo scripts/slurm_selftest.sh
#
# What it does, each step safe to repeat:
#  1. installs Debian's slurm-wlm and munge with apt-get if slurmctld, slurmd, sbatch or
#     munged is missing;
#  2. starts munged if `munge -n | unmunge` fails (creating /etc/munge/munge.key if absent);
#  3. writes a private slurm.conf under $WORK (this machine's hostname, CPUs and memory
#     as `slurmd -C` reports them; /etc/slurm is left alone), stops the slurmctld and
#     slurmd that an earlier run of this script started (by their pid files), and starts
#     fresh ones with a cleared state;
#  4. runs `hnet reproduce --quick --seeds 3` on this machine (the reference), then the
#     same three seeds through Slurm: `sbatch --array=0-2 slurm_reproduce.sh train` and
#     `sbatch --dependency=afterok:<array> slurm_reproduce.sh assemble`;
#  5. waits for the jobs, checks that each one COMPLETED, and compares the two
#     summary.json files byte for byte. No filter is needed: summary.json holds no
#     timing field (wall times, threads, the command and the commit are in run.json,
#     which is not compared).
# It stops the Slurm daemons it started when it exits (KEEP_SLURM=1 leaves them up);
# munged, a system service, is left running.
#
# Environment: HNET (default target/release/hnet), WORK (default /tmp/hnet-slurm-selftest),
# JOB_TIMEOUT (seconds to wait for the Slurm jobs, default 1800).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HNET=$(realpath -m "${HNET:-$repo/target/release/hnet}")
WORK=$(realpath -m "${WORK:-/tmp/hnet-slurm-selftest}")
JOB_TIMEOUT=${JOB_TIMEOUT:-1800}
export SLURM_CONF=$WORK/etc/slurm.conf
started=$(date +%s)

say() { printf '[slurm-selftest %4ds] %s\n' "$(($(date +%s) - started))" "$*"; }
fail() { printf 'slurm-selftest: FAILED: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "run as root (it installs packages with apt-get and starts munged, slurmctld and slurmd): sudo $0"
[ -x "$HNET" ] || fail "no hnet binary at $HNET: build it with 'cargo build --release -p interpret' in $repo, or set HNET"

install_packages() {
  if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null && command -v munged >/dev/null; then
    say "slurm-wlm and munge already installed"
    return
  fi
  say "installing slurm-wlm and munge with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null || fail "apt-get update failed (is a Debian mirror reachable?)"
  apt-get install -y -q --no-install-recommends slurm-wlm munge >/dev/null || fail "apt-get install slurm-wlm munge failed"
}

start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    say "munged already answers"
    return
  fi
  if [ ! -s /etc/munge/munge.key ]; then
    say "creating /etc/munge/munge.key"
    runuser -u munge -- mungekey --create --keyfile=/etc/munge/munge.key || fail "mungekey could not create /etc/munge/munge.key"
  fi
  mkdir -p /run/munge && chown munge:munge /run/munge
  say "starting munged"
  runuser -u munge -- /usr/sbin/munged || fail "munged did not start (see /var/log/munge/munged.log)"
  munge -n | unmunge >/dev/null || fail "munged started but a credential does not round-trip (munge -n | unmunge)"
}

write_slurm_conf() {
  local host node
  host=$(hostname -s)
  # `slurmd -C` prints this machine as slurmd sees it: NodeName, CPUs, sockets, cores, RealMemory.
  node=$(slurmd -C | head -n 1)
  [[ $node == NodeName=$host* ]] || fail "slurmd -C printed '$node', expected a NodeName=$host line"
  mkdir -p "$WORK/etc" "$WORK/state" "$WORK/spool" "$WORK/log"
  cat >"$SLURM_CONF" <<EOF
# Written by scripts/slurm_selftest.sh: a single-node cluster on localhost.
ClusterName=hnet-selftest
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
DependencyParameters=kill_invalid_depend
MinJobAge=3600
ReturnToService=2
SlurmdParameters=config_overrides
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=selftest Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
  say "wrote $SLURM_CONF for: $node"
}

# Stops a daemon this script started earlier, by the pid in its pid file.
stop_daemon() {
  local name=$1 pidfile=$WORK/$1.pid pid
  [ -s "$pidfile" ] || return 0
  pid=$(cat "$pidfile")
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]; then
    kill "$pid"
    for _ in $(seq 50); do [ -d "/proc/$pid" ] || break; sleep 0.2; done
    [ ! -d "/proc/$pid" ] || fail "$name (pid $pid, from $pidfile) did not stop"
  fi
  rm -f "$pidfile"
}

stop_slurm() {
  stop_daemon slurmd
  stop_daemon slurmctld
}

start_slurm() {
  stop_slurm
  say "starting slurmctld and slurmd (logs in $WORK/log)"
  slurmctld -c -f "$SLURM_CONF" || fail "slurmctld did not start: see $WORK/log/slurmctld.log"
  slurmd -f "$SLURM_CONF" || fail "slurmd did not start: see $WORK/log/slurmd.log"
  local state
  for _ in $(seq 60); do
    state=$(sinfo -h -o %T 2>/dev/null || true)
    [ "$state" = idle ] && { say "node is idle"; return; }
    sleep 1
  done
  fail "the node is '${state:-not reported}' after 60 s, not idle: see $WORK/log/slurmctld.log and $WORK/log/slurmd.log (sinfo -R gives the reason)"
}

# Waits until none of the jobs is queued or running.
wait_for_jobs() {
  local deadline=$(($(date +%s) + JOB_TIMEOUT))
  while [ -n "$(squeue -h -j "$1" -o %i)" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { squeue -j "$1"; fail "the Slurm jobs $1 did not finish within $JOB_TIMEOUT s (raise JOB_TIMEOUT)"; }
    sleep 5
  done
}

# Fails naming the first job (or array task) of $1 that did not complete, with its log.
check_completed() {
  local line
  while read -r line; do
    [[ $line == *JobState=COMPLETED* ]] && continue
    local id log
    id=$(grep -o 'JobId=[0-9]*' <<<"$line" | head -n 1 | cut -d= -f2)
    if [[ $line =~ ArrayJobId=([0-9]+)\ ArrayTaskId=([0-9]+) ]]; then
      id="${BASH_REMATCH[1]}_${BASH_REMATCH[2]} (array task ${BASH_REMATCH[2]})"
    fi
    log=$(grep -o 'StdOut=[^ ]*' <<<"$line" | cut -d= -f2)
    echo "--- $log" >&2
    tail -n 20 "$log" >&2 || true
    fail "Slurm job $id ended $(grep -o 'JobState=[A-Z_]*' <<<"$line"), not COMPLETED (its output is above)"
  done < <(scontrol -o show job "$1")
}

install_packages
start_munge
write_slurm_conf
[ "${KEEP_SLURM:-0}" = 1 ] || trap stop_slurm EXIT
start_slurm

rm -rf "$WORK/single" "$WORK/runs" "$WORK/report" "$WORK/jobs"
mkdir -p "$WORK/jobs"
say "reference: hnet reproduce --quick --seeds 3 on this machine"
"$HNET" reproduce --quick --seeds 3 --out "$WORK/single" >"$WORK/single.log" 2>&1 || fail "the reference run failed: see $WORK/single.log"
say "reference done"

export HNET PRESET=quick RUNS=$WORK/runs OUT=$WORK/report
array=$(sbatch --parsable --array=0-2 --chdir="$WORK" --output="$WORK/jobs/train-%A_%a.out" "$repo/scripts/slurm_reproduce.sh" train)
assemble=$(sbatch --parsable --dependency="afterok:$array" --chdir="$WORK" --output="$WORK/jobs/assemble-%j.out" "$repo/scripts/slurm_reproduce.sh" assemble)
say "submitted array job $array (seeds 0-2) and assemble job $assemble"
wait_for_jobs "$array,$assemble"
check_completed "$array"
check_completed "$assemble"
say "every job completed"

cmp "$WORK/single/summary.json" "$WORK/report/summary.json" || {
  diff "$WORK/single/summary.json" "$WORK/report/summary.json" | head -n 40 >&2
  fail "summary.json of the Slurm run ($WORK/report) differs from the single-machine run ($WORK/single)"
}
say "PASSED: summary.json of the Slurm run equals the single-machine run's, byte for byte"
