#!/bin/bash
# submit.sh — a sweep on Slurm as a job array of N shards plus a merge job that runs when
# every shard succeeded (docs/cluster.md).
#
#   scenarios/cluster/submit.sh SWEEP.toml N [OUT_PREFIX]
#
# Prints the two job ids. Extra sbatch options (partition, account, time) go in SBATCH_ARGS.
# MSS (default: the mss installed with this script, PREFIX/bin/mss, else mss on PATH) and SETS
# are passed on to the jobs.
set -euo pipefail
if [ $# -lt 2 ]; then
    echo "usage: $0 SWEEP.toml N [OUT_PREFIX]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${MSS:-}" ]; then
    for c in "$here/mss" "$here/../../../bin/mss"; do
        if [ -f "$c" ] && [ -x "$c" ]; then
            MSS=$(cd "$(dirname "$c")" && pwd)/mss  # absolute: the jobs run elsewhere
            export MSS
            break
        fi
    done
fi
SWEEP=$1
N=$2
OUT=${3:-runs/$(basename "$SWEEP" .toml)}
export SWEEP OUT SHARDS=$N
# shellcheck disable=SC2086  # SBATCH_ARGS is a list of options
array=$(sbatch --parsable ${SBATCH_ARGS:-} --array=0-$((N - 1)) --export=ALL \
        "$here/sweep-array.sbatch")
array=${array%%;*}
# shellcheck disable=SC2086
merge=$(sbatch --parsable ${SBATCH_ARGS:-} --dependency=afterok:"$array" --export=ALL \
        "$here/merge.sbatch")
merge=${merge%%;*}
echo "array job $array (shards 0-$((N - 1))), merge job $merge -> $OUT.h5"
