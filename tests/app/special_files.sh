#!/bin/sh
# tests/app/special_files.sh MSS — outputs and inputs that are not regular files, and existing
# trace files. An output path (-o of run and sweep, merge's OUT, --trace) that exists and is a
# FIFO, a device or a directory is refused (exit 2) with or without --force, before any work:
# it is never replaced by a regular file. A FIFO given to summary or merge as a results file is
# refused, not opened (that would wait for a writer). An existing trace file is replaced only
# with --force, and never when it is the scenario file; nor is -o. Nothing is left behind (no
# OUT.tmp-HOST-PID-RANDOM or journal). Runs in a temporary directory; started from the source root.
set -u
. "$(pwd)/tests/app/common.sh"
S=$root/tests/cluster/small.toml
W=$root/tests/cluster/small_sweep.toml

# Only what the test made may be in the directory.
only() {  # only NAME...
    want=$(printf '%s\n' "$@" | sort)
    got=$(ls -A | sort)
    [ "$got" = "$want" ] || fail "files after $last: [$(echo $got)], expected [$(echo $want)]"
}

mkfifo fifo
mkdir outdir
printf 'extends = "%s"\n' "$S" >scen.toml

last="run -o FIFO --force"
expect 2 '^mss run: fifo is a FIFO, not a regular file' run "$S" -r 1 -q -o fifo --force
[ -p fifo ] || fail "run -o fifo --force replaced the FIFO"
last="sweep -o FIFO --force"
expect 2 '^mss sweep: fifo is a FIFO, not a regular file' sweep "$W" -q -o fifo --force
[ -p fifo ] || fail "sweep -o fifo --force replaced the FIFO"
last="merge FIFO --force"
expect 2 '^mss merge: fifo is a FIFO, not a regular file' merge fifo "$W" --force
[ -p fifo ] || fail "merge fifo --force replaced the FIFO"
last="run --trace FIFO --force"
expect 2 '^mss run: --trace: fifo is a FIFO, not a regular file' \
    run "$S" -r 1 -q --only 0 --trace fifo --force
[ -p fifo ] || fail "run --trace fifo --force replaced the FIFO"
last="merge DIRECTORY --force"
expect 2 '^mss merge: outdir is a directory, not a regular file' merge outdir "$W" --force
last="run -o DIRECTORY --force"
expect 2 '^mss run: outdir is a directory, not a regular file' run "$S" -r 1 -q -o outdir --force
only fifo outdir scen.toml

# A FIFO as an input: refused at once (timeout: a hang fails the test rather than blocking it).
last="summary FIFO"
expect 2 '^mss summary: fifo: is not a regular file' summary fifo
last="merge OUT FIFO"
expect 2 '^mss merge: fifo: is not a regular file' merge out.h5 fifo
only fifo outdir scen.toml

# Traces: an existing file only with --force; never the scenario file.
last="run --trace t.csv"
expect 0 '' run scen.toml -r 1 -q --only 0 --trace t.csv
echo keep >t.csv
last="run --trace EXISTING"
expect 2 '^mss run: --trace: t.csv exists; pass --force to overwrite it$' \
    run scen.toml -r 1 -q --only 0 --trace t.csv
[ "$(cat t.csv)" = keep ] || fail "an existing trace was overwritten without --force"
last="run --trace EXISTING --force"
expect 0 '' run scen.toml -r 1 -q --only 0 --trace t.csv --force
[ "$(head -n 1 t.csv)" = "t_h,date,kind,contingent,airport,count" ] ||
    fail "--trace t.csv --force did not write the trace"
cp scen.toml scen.before
last="run --trace SCENARIO"
expect 2 '^mss run: --trace: scen.toml exists; pass --force' \
    run scen.toml -r 1 -q --only 0 --trace scen.toml
last="run --trace SCENARIO --force"
expect 2 '^mss run: --trace scen.toml is the scenario file$' \
    run scen.toml -r 1 -q --only 0 --trace scen.toml --force
cmp -s scen.toml scen.before || fail "--trace overwrote the scenario file"
last="run -o SCENARIO --force"
expect 2 '^mss run: -o scen.toml is the scenario file$' run scen.toml -r 1 -q -o scen.toml --force
cmp -s scen.toml scen.before || fail "-o overwrote the scenario file"
only fifo outdir scen.toml scen.before t.csv
exit $status
