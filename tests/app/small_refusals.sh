#!/bin/sh
# tests/app/small_refusals.sh MSS — the smaller refusals of issue 24 (item 12): a 1 MB key is
# not echoed whole; a run outside the dates numpy and pandas hold (1677-09-22 to 2262-04-11) is
# invalid; a default output directory that cannot be created says so; a refused --shard
# creates no runs/; `values = []` is one error, not two. Runs in a temporary directory;
# started from the source root.
set -u
. "$(pwd)/tests/app/common.sh"
S=$root/tests/cluster/small.toml
W=$root/tests/cluster/small_sweep.toml

# A key of a million characters: one line of error, the key cut.
{
    printf 'extends = "%s"\n[scenario]\n' "$S"
    head -c 1000000 /dev/zero | tr '\0' k
    printf ' = 1\n'
} >longkey.toml
expect 2 'scenario\.k+\.\.\. \([0-9]+ characters\) unknown key' validate longkey.toml
size=$("$mss" validate longkey.toml 2>&1 | wc -c)
[ "$size" -lt 2000 ] || fail "the error about a 1 MB key is $size bytes"

# Dates numpy and pandas cannot hold.
expect 2 'scenario.start: the run \(2262-01-01 \+ 240 days\) must lie between 1677-09-22 and 2262-04-11' \
    validate "$S" --set scenario.start=2262-01-01
expect 2 'must lie between 1677-09-22' validate "$S" --set scenario.start=1677-09-01
expect 0 '' validate "$S" --set scenario.start=2261-08-01

# values = []: one error.
printf '[sweep]\nbase = "%s"\nseed = 1\nreplications = 1\ndesign = "grid"\n[[factor]]\nkey = "aircraft.B787-charter.count"\nvalues = []\n' \
    "$S" >empty.toml
expect 2 'factor\[0\]\.values: expected a non-empty array' validate empty.toml
n=$("$mss" validate empty.toml 2>&1 | grep -c 'factor\[0\]')
[ "$n" = 1 ] || fail "values = [] gives $n errors about factor[0], expected 1"

# A refused --shard makes no runs/.
mkdir shard && cd shard || exit 1
expect 2 '^mss sweep: --shard 0/100: the sweep has only 16 runs' sweep "$W" -q --shard 0/100
[ -z "$(ls -A)" ] || fail "a refused --shard left: $(ls -A)"
cd .. || exit 1

# A default output directory that cannot be created (as an unprivileged user when root).
mkdir ro && chmod 555 ro
as_user=""
if [ "$(id -u)" = 0 ]; then
    if command -v setpriv >/dev/null &&
        setpriv --reuid=65534 --regid=65534 --clear-groups sh -c "test -x '$mss' && test -r '$S'" 2>/dev/null; then
        as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
    else
        echo "note: the read-only directory case is skipped (root, and no user can run $mss)"
        as_user=skip
    fi
fi
if [ "$as_user" != skip ]; then
    cd ro || exit 1
    sh "$root/tests/app/expect.sh" 2 "" '^mss run: cannot create the output directory runs: Permission denied' \
        -- $as_user "$mss" run "$S" -r 1 -q || status=1
    sh "$root/tests/app/expect.sh" 2 "" '^mss sweep: cannot create the output directory runs: Permission denied' \
        -- $as_user "$mss" sweep "$W" -q || status=1
    cd .. || exit 1
fi
exit $status
