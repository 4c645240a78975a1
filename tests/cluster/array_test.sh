#!/bin/bash
# tests/cluster/array_test.sh — scenarios/cluster/sweep-array.sbatch and merge.sbatch under the
# environment Slurm gives an array task, without Slurm: a first submission (--array=0-2), the
# resubmission of one task (--array=1: SLURM_ARRAY_TASK_MIN=MAX=1) with and without SHARDS,
# refusals of a SHARDS that contradicts the shard files, then a real small sweep in 2 shards
# of which task 1 is "resubmitted" alone, and the merge, which checks every run is there once.
#   array_test.sh MSS
set -uo pipefail
mss=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
array=$root/scenarios/cluster/sweep-array.sbatch
merge=$root/scenarios/cluster/merge.sbatch
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
failures=0
fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# task ID MIN MAX [VAR=value...]: runs the array script as Slurm would for task ID of an array
# MIN..MAX, with a clean environment; stdout in $work/out, stderr in $work/err, exit code in rc.
task() {
    local id=$1 min=$2 max=$3
    shift 3
    env -i PATH="$PATH" HOME="$work" SLURM_JOB_ID=1 SLURM_ARRAY_JOB_ID=1 \
        SLURM_ARRAY_TASK_ID="$id" SLURM_ARRAY_TASK_MIN="$min" SLURM_ARRAY_TASK_MAX="$max" \
        SLURM_ARRAY_TASK_COUNT=$((max - min + 1)) SLURM_CPUS_PER_TASK=1 "$@" \
        bash "$array" >out 2>err
    rc=$?
}
expect() {  # what: rc stdout-pattern stderr-pattern
    [ "$rc" = "$2" ] || fail "$1: exit $rc, expected $2 ($(cat err))"
    [ -z "$3" ] || grep -Eq -- "$3" out || fail "$1: stdout '$(cat out)' does not match $3"
    [ -z "$4" ] || grep -Eq -- "$4" err || fail "$1: stderr '$(cat err)' does not match $4"
}

# --- MSS=echo: the mss command line each task would run ---
export SWEEP=sweeps/lhs.toml
task 2 0 2 MSS=echo SWEEP=$SWEEP
expect "first submission, task 2 of 0-2" 0 "--shard 2/3 -o runs/lhs.shard-2-of-3.h5 .*--resume --progress log" ""
task 1 1 1 MSS=echo SWEEP=$SWEEP
expect "resubmission of task 1 before any shard file exists" 2 "" \
    "cannot tell the number of shards.*set SHARDS"
task 1 1 1 MSS=echo SWEEP=$SWEEP SHARDS=3
expect "resubmission of task 1 with SHARDS" 0 "--shard 1/3 -o runs/lhs.shard-1-of-3.h5" ""
mkdir -p runs && : >runs/lhs.shard-0-of-3.h5 && : >runs/lhs.shard-1-of-3.h5.journal
task 1 1 1 MSS=echo SWEEP=$SWEEP
expect "resubmission of task 1 without SHARDS" 0 "--shard 1/3 -o runs/lhs.shard-1-of-3.h5" ""
task 0 0 0 MSS=echo SWEEP=$SWEEP
expect "resubmission of task 0 without SHARDS" 0 "--shard 0/3 -o runs/lhs.shard-0-of-3.h5" ""
task 1 1 1 MSS=echo SWEEP=$SWEEP SHARDS=4
expect "a SHARDS that contradicts the files" 2 "" \
    "SHARDS=4, but runs/lhs.shard-\*-of-3.h5\* are the files of this sweep in 3 shards: resubmit with SHARDS=3"
task 5 5 5 MSS=echo SWEEP=$SWEEP
expect "a task beyond the shards" 2 "" "array task 5 is not a shard of a sweep in 3 shards"
task 1 1 1 MSS=echo SWEEP=$SWEEP SHARDS=x
expect "a SHARDS that is not a number" 2 "" "SHARDS=x: expected a number of shards >= 1"
: >runs/lhs.shard-0-of-2.h5
task 1 1 1 MSS=echo SWEEP=$SWEEP
expect "files of two shard counts" 2 "" "different numbers of shards \(3 2\)|different numbers of shards \(2 3\)"
rm -rf runs

# --- a real small sweep in 2 shards: task 0 runs, task 1 is lost and resubmitted alone ---
sweep=$root/tests/cluster/small_sweep.toml
sets="--set sweep.replications=2"
task 0 0 1 MSS="$mss" SWEEP="$sweep" SETS="$sets"
expect "task 0 of 0-1" 0 "shard 0/2: runs 0-3" ""
[ -f runs/small_sweep.shard-0-of-2.h5 ] || fail "no shard 0 file"
task 1 1 1 MSS="$mss" SWEEP="$sweep" SETS="$sets"
expect "task 1 resubmitted alone, without SHARDS" 0 "shard 1/2: runs 4-7" ""
task 1 1 1 MSS="$mss" SWEEP="$sweep" SETS="$sets" SHARDS=2
expect "task 1 resubmitted again, with SHARDS" 0 "already holds these runs" ""
env -i PATH="$PATH" MSS="$mss" SWEEP="$sweep" bash "$merge" >out 2>err
rc=$?
expect "merge without SHARDS" 0 "merged 2 files .* = 8 runs\) into runs/small_sweep.h5" ""
grep -q "the shard files are kept" out || fail "merge does not say the shards are kept"
env -i PATH="$PATH" MSS="$mss" SWEEP="$sweep" FORCE=1 REMOVE_SHARDS=1 bash "$merge" >out 2>err
rc=$?
expect "merge with REMOVE_SHARDS" 0 "removed 2 shard files" ""
ls runs/small_sweep.shard-* >/dev/null 2>&1 && fail "shard files left after REMOVE_SHARDS"

if [ "$failures" != 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "array_test: all passed"
