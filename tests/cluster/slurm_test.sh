#!/bin/bash
# slurm_test.sh — a real single-node Slurm run of the shipped cluster scripts (`make
# test-slurm`; TOOLCHAIN §8 for the configuration). It starts munged, slurmctld and slurmd with
# every file under a temporary directory (private munge socket and key, its own ports), submits
# scenarios/cluster/submit.sh (the shard array plus the merge job), waits, compares the merged
# file with a serial `mss sweep`, runs scenarios/cluster/sweep-mpi.sbatch (when mss has MPI)
# and compares again; then kills one task of a second array with SIGKILL in mid-shard,
# resubmits that task alone (`sbatch --array=1`, no SHARDS), merges (no SHARDS) and compares
# again; and stops every daemon it started, by process id.
#
#   tests/cluster/slurm_test.sh [MSS_BINARY]
#
# Needs root (the daemons run jobs as root here, as on the machine of TOOLCHAIN §8) and the
# Debian packages slurm-wlm and munge (tools/install-deps.sh). Exit 0 when both comparisons pass.
# ctest runs it as cluster_slurm (about 70 s here; skipped, exit 77, without root or the packages).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
MSS=${1:-${MSS_BIN:-$root/build/release/sim/app/mss}}
MSS=$(cd "$(dirname "$MSS")" && pwd)/$(basename "$MSS")
PY=${MSS_PYTHON:-/usr/bin/python3}
[ -x "$MSS" ] || { echo "slurm_test: no mss at $MSS (build first)" >&2; exit 1; }
# Missing prerequisites: exit 77, which ctest reports as skipped.
for b in munged slurmctld slurmd sbatch sinfo setpriv; do
    command -v "$b" >/dev/null || { echo "slurm_test: SKIPPED: $b missing (tools/install-deps.sh installs slurm-wlm and munge)" >&2; exit 77; }
done
[ "$(id -u)" = 0 ] || { echo "slurm_test: SKIPPED: needs root (TOOLCHAIN §8)" >&2; exit 77; }

STATE=$(mktemp -d /tmp/mss-slurm.XXXXXX)
chmod 0755 "$STATE"
pids=()
cleanup() {
    local rc=$?
    # Stop what we started, newest first, by PID only.
    for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
        kill -TERM "${pids[$i]}" 2>/dev/null || true
    done
    for p in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    if [ $rc -ne 0 ]; then
        echo "slurm_test: FAILED (rc $rc); logs:" >&2
        for f in "$STATE"/log/* "$STATE"/work/*.out; do
            [ -f "$f" ] && { echo "== $f" >&2; tail -n 20 "$f" >&2; }
        done
    fi
    [ -n "${KEEP_STATE:-}" ] && echo "slurm_test: state kept in $STATE" >&2 || rm -rf "$STATE"
    exit $rc
}
trap cleanup EXIT INT TERM

# Free TCP ports for slurmctld and slurmd (so a Slurm already on the machine is not disturbed).
read -r CTLD_PORT SLURMD_PORT < <("$PY" - <<'EOF'
import socket
ports = []
socks = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); ports.append(s.getsockname()[1]); socks.append(s)
print(*ports)
EOF
)

# --- munge: private key, socket, pid and log under $STATE/munge, run as the munge user ---
install -d -o munge -g munge -m 0755 "$STATE/munge"  # the socket dir must be searchable by all
dd if=/dev/urandom of="$STATE/munge/munge.key" bs=1024 count=1 status=none
chown munge:munge "$STATE/munge/munge.key"
chmod 0400 "$STATE/munge/munge.key"
SOCK=$STATE/munge/munge.socket
# setpriv execs munged in place (no runuser in between), so $! is munged itself.
setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged -F --socket="$SOCK" --key-file="$STATE/munge/munge.key" \
    --pid-file="$STATE/munge/munged.pid" --log-file="$STATE/munge/munged.log" \
    --seed-file="$STATE/munge/munged.seed" 2>"$STATE/munge/munged.stderr" &
pids+=($!)
for _ in $(seq 100); do [ -S "$SOCK" ] && break; sleep 0.1; done
munge -S "$SOCK" -n | unmunge -S "$SOCK" >/dev/null

# --- slurm.conf (TOOLCHAIN §8, with our state dir, ports and munge socket) ---
mkdir -p "$STATE"/{state,spool,log,work}
CPUS=$(nproc)
cat > "$STATE/slurm.conf" <<EOF
ClusterName=mss-test
SlurmctldHost=localhost(127.0.0.1)
AuthType=auth/munge
AuthInfo=socket=$SOCK
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
StateSaveLocation=$STATE/state
SlurmdSpoolDir=$STATE/spool
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$CPUS RealMemory=1000 State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
EOF
export SLURM_CONF=$STATE/slurm.conf
setsid /usr/sbin/slurmctld -D -f "$SLURM_CONF" >"$STATE/log/slurmctld.stdout" 2>&1 </dev/null &
pids+=($!)
setsid /usr/sbin/slurmd -D -N localhost -f "$SLURM_CONF" >"$STATE/log/slurmd.stdout" 2>&1 </dev/null &
pids+=($!)
for _ in $(seq 150); do
    sinfo -h -o %t 2>/dev/null | grep -qE '^(idle|mix|alloc)' && break
    sleep 0.2
done
sinfo -h -o "%P %t %D %N" | grep -qE 'idle|mix' || { echo "slurm_test: the node did not come up" >&2; exit 1; }
echo "slurm_test: single-node Slurm up (state in $STATE, ports $CTLD_PORT/$SLURMD_PORT)"

# --- the sweep: 3 shards as a job array plus the merge job, with the shipped scripts ---
cd "$root"
SWEEP=$root/tests/cluster/small_sweep.toml
W=$STATE/work
export MSS SETS="--set sweep.replications=6"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
t0=$(date +%s.%N)
SBATCH_ARGS="--chdir=$W --output=$W/%x-%j.out --cpus-per-task=1" \
    scenarios/cluster/submit.sh "$SWEEP" 3 "$W/small" | tee "$W/submit.txt"
merge_job=$(sed -n 's/.*merge job \([0-9]*\).*/\1/p' "$W/submit.txt")
# Wait for the merge job (it depends on the whole array) to leave the queue.
for _ in $(seq 600); do
    squeue -h -j "$merge_job" 2>/dev/null | grep -q . || break
    sleep 0.5
done
t1=$(date +%s.%N)
[ -f "$W/small.h5" ] || { echo "slurm_test: the merge job wrote no $W/small.h5" >&2; exit 1; }
"$MSS" sweep "$SWEEP" $SETS -j 2 -o "$W/serial.h5" --quiet >/dev/null 2>&1
"$PY" - "$W/serial.h5" "$W/small.h5" <<EOF
import sys
sys.path.insert(0, "$root/tests/cluster")
from conftest import assert_identical
assert_identical(sys.argv[1], sys.argv[2])
print("slurm_test: job array of 3 shards + merge job == serial sweep (identical)")
EOF
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "slurm_test: array + merge took %.1f s\n", b - a }'

# --- the same sweep as one MPI job (when mss has MPI) ---
# (grep without -q: with pipefail, an early exit of grep would fail the pipeline via SIGPIPE)
if ldd "$MSS" | grep libmpi >/dev/null; then
    sbatch --wait --chdir="$W" --output="$W/mpi-%j.out" --ntasks=2 --export="ALL,SWEEP=$SWEEP,OUT=$W/mpi" \
        scenarios/cluster/sweep-mpi.sbatch >/dev/null
    "$PY" - "$W/serial.h5" "$W/mpi.h5" <<EOF
import sys
sys.path.insert(0, "$root/tests/cluster")
from conftest import assert_identical
assert_identical(sys.argv[1], sys.argv[2])
print("slurm_test: MPI job (2 ranks, sweep-mpi.sbatch) == serial sweep (identical)")
EOF
else
    echo "slurm_test: mss has no MPI; skipped the MPI job"
fi

# --- kill one task of an array in mid-shard, resubmit it alone, merge, compare ---
# Enough runs that task 1 is still simulating when it is killed (a few seconds).
export SETS="--set sweep.replications=1000"
K=$W/kill
array=$(sbatch --parsable --chdir="$W" --output="$W/kill-%A_%a.out" --cpus-per-task=1 \
    --array=0-1 --export="ALL,SWEEP=$SWEEP,OUT=$K" scenarios/cluster/sweep-array.sbatch)
array=${array%%;*}
journal=$K.shard-1-of-2.h5.journal
for _ in $(seq 600); do
    [ "$(stat -c %s "$journal" 2>/dev/null || echo 0)" -gt 2000000 ] && break
    sleep 0.1
done
[ -f "$journal" ] || { echo "slurm_test: task 1 wrote no journal" >&2; exit 1; }
scancel --signal=KILL --full "${array}_1"
for _ in $(seq 600); do
    squeue -h -j "$array" 2>/dev/null | grep -q . || break
    sleep 0.5
done
[ ! -f "$K.shard-1-of-2.h5" ] || { echo "slurm_test: task 1 finished before it was killed" >&2; exit 1; }
[ -f "$journal" ] || { echo "slurm_test: the killed task left no journal" >&2; exit 1; }
sbatch --wait --chdir="$W" --output="$W/resubmit-%A_%a.out" --cpus-per-task=1 --array=1 \
    --export="ALL,SWEEP=$SWEEP,OUT=$K" scenarios/cluster/sweep-array.sbatch >/dev/null
grep -q "runs resumed from the journal" "$W"/resubmit-*_1.out ||
    { echo "slurm_test: the resubmitted task did not resume its journal" >&2; cat "$W"/resubmit-*_1.out >&2; exit 1; }
grep -q "^sweep .*; shard 1/2: runs" "$W"/resubmit-*_1.out ||
    { echo "slurm_test: the resubmitted task did not run shard 1/2" >&2; exit 1; }
sbatch --wait --chdir="$W" --output="$W/kill-merge-%j.out" \
    --export="ALL,SWEEP=$SWEEP,OUT=$K,REMOVE_SHARDS=1" scenarios/cluster/merge.sbatch >/dev/null
"$MSS" sweep "$SWEEP" $SETS -j 2 -o "$W/serial-kill.h5" --quiet >/dev/null 2>&1
"$PY" - "$W/serial-kill.h5" "$K.h5" <<EOF
import sys
sys.path.insert(0, "$root/tests/cluster")
from conftest import assert_identical
assert_identical(sys.argv[1], sys.argv[2])
print("slurm_test: task 1 killed (SIGKILL), resubmitted alone without SHARDS, merged == serial sweep")
EOF

# --- an installed tree (PREFIX/bin/mss, PREFIX/share/mss-sim/cluster): under sbatch the script
# is Slurm's copy, and it still finds PREFIX/bin/mss with no MSS and no mss on PATH ---
P=$STATE/prefix
install -D -m 0755 "$MSS" "$P/bin/mss"
install -d "$P/share/mss-sim/cluster"
install -m 0755 scenarios/cluster/*.sbatch scenarios/cluster/submit.sh "$P/share/mss-sim/cluster/"
sbatch --wait --chdir="$W" --output="$W/found-%A_%a.out" --array=0 \
    --export="PATH=/usr/bin:/bin,SWEEP=$SWEEP,OUT=$W/found,SHARDS=4,SETS=--set sweep.replications=1" \
    "$P/share/mss-sim/cluster/sweep-array.sbatch" >/dev/null
[ -f "$W/found.shard-0-of-4.h5" ] ||
    { echo "slurm_test: the installed script did not find the installed mss" >&2; cat "$W"/found-*.out >&2; exit 1; }
echo "slurm_test: an installed sweep-array.sbatch found PREFIX/bin/mss by itself under sbatch"
echo "slurm_test: PASSED"
