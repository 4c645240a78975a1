#!/bin/bash
# tests/app/pipe_head.sh — `mss summary OUT | head -1` in a `pipefail` script exits 0: a reader
# that has read enough is not a failure (docs/commands.md).   pipe_head.sh MSS WORKDIR
set -euo pipefail
mss=$1 work=$2
mkdir -p "$work"
"$mss" run tests/cluster/small.toml -r 2 -o "$work/pipe.h5" --force --quiet >/dev/null
first=$("$mss" summary "$work/pipe.h5" | head -1)
case $first in KPI*) ;; *) echo "FAIL: first line: $first"; exit 1 ;; esac
# A reader gone before the first byte: still exit 0, nothing on stderr.
"$mss" summary "$work/pipe.h5" 2>"$work/pipe.err" | true
if [ -s "$work/pipe.err" ]; then echo "FAIL: stderr: $(cat "$work/pipe.err")"; exit 1; fi
echo ok
