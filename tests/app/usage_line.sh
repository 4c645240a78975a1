#!/bin/sh
# tests/app/usage_line.sh MSS — every command-line error, whether found as the line is parsed
# or only once the file is read (a --shard or --only value beyond the runs), is exit 2 with a
# line naming the option, and standard error ends with the usage line (docs/commands.md,
# "Command-line errors"). Runs in an empty temporary directory, in which nothing may appear.
# Started from the source root.
set -u
. "$(pwd)/tests/app/common.sh"
S=$root/tests/cluster/small.toml
W=$root/tests/cluster/small_sweep.toml
usage="Run 'mss --help' or 'mss COMMAND --help' for usage."

expect_usage() {  # expect_usage STDERR_RE ARGS...: exit 2, a line matching, the usage line last
    re=$1
    shift
    timeout -k 5 60 "$mss" "$@" >out 2>err
    rc=$?
    if [ "$rc" != 2 ] || ! grep -Eq -- "$re" err || [ "$(tail -n 1 err)" != "$usage" ]; then
        echo "FAIL: mss $*: exit $rc, expected 2, a line matching $re and the usage line last"
        echo "--- stderr:"
        cat err
        status=1
    fi
    rm -f out err
    if [ -n "$(ls -A)" ]; then
        echo "FAIL: mss $* left files:" $(ls -A)
        find . -mindepth 1 -delete
        status=1
    fi
}

# --shard: not I/N, I or N out of range, more shards than runs (the sweep has 16).
expect_usage "^mss sweep: --shard: expected I/N with whole numbers \(shard I of N, counted from 0\), found 'abc'$" \
    sweep "$W" -q --shard abc -o out.h5
expect_usage "^mss sweep: --shard: expected I/N with whole numbers \(shard I of N, counted from 0\), found '1'$" \
    sweep "$W" -q --shard 1 -o out.h5
expect_usage "^mss sweep: --shard: expected 0 <= I < N <= 1000000 in I/N, found '3/3'$" \
    sweep "$W" -q --shard 3/3 -o out.h5
expect_usage '^mss sweep: --shard: expected I/N, found an empty value$' \
    sweep "$W" -q --shard "" -o out.h5
expect_usage '^mss sweep: --shard 0/17: the sweep has only 16 runs; use at most 16 shards$' \
    sweep "$W" -q --shard 0/17 -o out.h5
# --only: beyond the runs, or without --trace (and --trace without --only).
expect_usage '^mss run: --only 5: the run ids are 0 to 1 \(2 replications\)$' \
    run "$S" -r 2 --only 5 --trace t.csv -q
expect_usage '^mss run: --only RUN and --trace FILE go together$' run "$S" -r 2 --only 0 -q
expect_usage '^mss run: --only RUN and --trace FILE go together$' run "$S" -r 2 --trace t.csv -q
# Errors CLI11 finds, for comparison.
expect_usage '^mss sweep: -j/--threads: expected an integer between 1 and 1024, found 0$' \
    sweep "$W" -q -j 0 -o out.h5
expect_usage "^mss run: unknown option '--bogus'$" run "$S" --bogus
exit $status
