#!/bin/sh
# tests/app/thread_limit.sh MSS SANITIZED — threads the system refuses (-j 1024 for 1024 runs
# under a 1 GB address-space limit: 8 MB of stack each) end run and sweep in order: exit 1 with a
# message saying so, no temporary, or journal left. And no more threads than runs are
# started. Skipped (77) in sanitizer builds, which cannot start under ulimit -v. Runs in a
# temporary directory; started from the source root.
set -u
mss=$1
[ "${2:-0}" = 1 ] && exit 77
root=$(pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir" "$dir.sweep.toml"' EXIT
cd "$dir" || exit 1
status=0

limited() {  # limited NAME ARGS...: mss ARGS with 8 MB stacks and 1 GB of address space
    name=$1
    shift
    (
        ulimit -s 8192 && ulimit -v 1000000 || exit 99
        exec timeout -k 5 60 "$mss" "$@" >"$dir.out" 2>"$dir.err"
    )
    rc=$?
    if [ "$rc" != 1 ] || ! grep -Eq '^mss (run|sweep): cannot start 1024 threads' "$dir.err"; then
        echo "FAIL: $name: exit $rc, expected 1 and 'cannot start 1024 threads'"
        cat "$dir.err"
        status=1
    fi
    if [ -n "$(ls -A)" ]; then
        echo "FAIL: $name left files:" $(ls -A)
        find . -mindepth 1 -delete
        status=1
    fi
    rm -f "$dir.out" "$dir.err"
}

limited run run "$root/tests/cluster/small.toml" -r 1024 -j 1024 -q -o out.h5
# The small sweep with 256 replications per point: 1024 runs.
sed -e "s|^base = .*|base = \"$root/tests/cluster/small.toml\"|" -e 's/^replications = .*/replications = 256/' \
    "$root/tests/cluster/small_sweep.toml" >"$dir.sweep.toml"
limited sweep sweep "$dir.sweep.toml" -j 1024 -q -o out.h5
rm -f "$dir.sweep.toml"
# No more threads than runs are started: -j 1024 for 2 runs succeeds under the same limits.
(
    ulimit -s 8192 && ulimit -v 1000000 || exit 99
    exec timeout -k 5 60 "$mss" run "$root/tests/cluster/small.toml" -r 2 -j 1024 -q -o few.h5
) 2>"$dir.err"
rc=$?
if [ "$rc" != 0 ] || [ ! -s few.h5 ]; then
    echo "FAIL: -r 2 -j 1024: exit $rc, expected 0 and few.h5"
    cat "$dir.err"
    status=1
fi
rm -f "$dir.err"
exit $status
