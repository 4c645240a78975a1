#!/bin/bash
# tests/app/progress_log.sh — a run whose output goes to files, as in a batch job's log: the
# header line (scenario, seed, threads) is there while the runs are still going, and the
# progress is plain lines, never a line redrawn with \r.   progress_log.sh MSS WORKDIR
set -u
mss=$1 work=$2
mkdir -p "$work"
rm -f "$work/long.h5"
# Long enough (minutes) that it is certainly still running when it is stopped below.
"$mss" run scenarios/baseline.toml -r 100000 -j 1 -o "$work/long.h5" >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 300); do
    grep -q '^scenario "baseline"' "$work/out" && break
    sleep 0.1
done
kill -TERM "$pid"
wait "$pid"
rc=$?
status=0
if ! grep -Eq '^scenario "baseline" \(scenarios/baseline.toml\): 100000 runs, seed [0-9]+, 1 thread, [0-9]+ days$' "$work/out"; then
    echo "FAIL: no header line before the runs ended"; status=1
fi
if [ "$rc" != 143 ]; then echo "FAIL: exit $rc, expected 143 (stopped by SIGTERM mid-run)"; status=1; fi
if grep -q $'\r' "$work/err"; then echo "FAIL: a carriage return (a terminal line) in a log"; status=1; fi
[ "$status" = 0 ] || { echo "--- stdout:"; cat "$work/out"; echo "--- stderr:"; cat "$work/err"; }
exit $status
