#!/bin/sh
# tests/app/empty_values.sh MSS — an empty value for a file name or a number is exit 2 naming
# the option, never its default: run -o "", --trace "", -r "", -j "", --seed "", --only "";
# sweep -o "", --shard ""; merge "" and a "" shard; summary "". Runs in an empty temporary
# directory, in which nothing may appear. Started from the source root.
set -u
. "$(pwd)/tests/app/common.sh"
S=$root/tests/cluster/small.toml
W=$root/tests/cluster/small_sweep.toml

expect2() {  # expect2 STDERR_RE ARGS...: exit 2, standard error matching, no file made
    re=$1
    shift
    sh "$root/tests/app/expect.sh" 2 "" "$re" -- timeout -k 5 60 "$mss" "$@" || status=1
    if [ -n "$(ls -A)" ]; then
        echo "FAIL: mss $* left files:" $(ls -A)
        find . -mindepth 1 -delete
        status=1
    fi
}

expect2 '^mss run: -o/--output: the file name is empty$' run "$S" -r 1 -q -o ""
expect2 '^mss run: --trace: the file name is empty$' run "$S" -r 1 -q --only 0 --trace ""
expect2 '^mss run: -r/--replications: expected an integer between 1 and 10000000, found an empty value$' \
    run "$S" -r "" -q -o out.h5
expect2 '^mss run: -j/--threads: expected an integer between 1 and 1024, found an empty value$' \
    run "$S" -r 1 -j "" -q -o out.h5
expect2 '^mss run: --seed: expected an integer between 0 and 9223372036854775807, found an empty value$' \
    run "$S" -r 1 --seed "" -q -o out.h5
expect2 '^mss run: --only: expected a run id between 0 and the number of runs - 1, found an empty value$' \
    run "$S" -r 1 --only "" --trace t.csv -q
expect2 '^mss run: SCENARIO: the file name is empty$' run "" -r 1 -q -o out.h5
expect2 '^mss sweep: -o/--output: the file name is empty$' sweep "$W" -q -o ""
expect2 '^mss sweep: --shard: expected I/N, found an empty value$' sweep "$W" -q --shard "" -o out.h5
expect2 '^mss merge: OUT.h5: the file name is empty$' merge "" "$W"
expect2 '^mss merge: SHARD.h5: the file name is empty$' merge out.h5 "$W" ""
expect2 '^mss summary: FILE: the file name is empty$' summary ""
expect2 '^mss validate: FILE: the file name is empty$' validate ""
exit $status
