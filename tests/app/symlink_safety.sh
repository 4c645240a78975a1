#!/bin/sh
# tests/app/symlink_safety.sh MSS — temporaries never follow a link (issue 24, item 1): every
# command writes its results under a fresh name created exclusively (OUT.tmp-HOST-PID-RANDOM),
# so links planted at the names an attacker can predict write nothing through them; a link at
# the journal's name is refused; the output with --force replaces the link, not what it points
# at; temporaries left by a killed process of this host are removed by the next sweep or
# merge, and nothing else is. Runs in a temporary directory; started from the source root.
set -u
. "$(pwd)/tests/app/common.sh"
W=$root/tests/cluster/small_sweep.toml
S=$root/tests/cluster/small.toml
host=$(hostname | tr '/ \t' '___')
printf 'precious\n' >victim
chmod 600 victim

# The names format 1 used (OUT.part) and any guessable temporary: links there are not used.
ln -s victim out.h5.part
ln -s victim "out.h5.tmp-$host-$$-00000000"
expect 0 '' sweep "$W" -o out.h5 -j 2 --quiet
[ "$(cat victim)" = precious ] || fail "the sweep wrote through a link"
[ -f out.h5 ] && [ ! -L out.h5 ] || fail "out.h5 is not a regular file"
rm -f out.h5 out.h5.part "out.h5.tmp-$host-$$-00000000"

# A link at the journal's name: refused, the victim untouched.
ln -s victim out.h5.journal
expect 2 'out.h5.journal is a symbolic link, not a regular file' sweep "$W" -o out.h5 --quiet
expect 2 'out.h5.journal is a symbolic link' sweep "$W" -o out.h5 --resume --quiet
[ "$(cat victim)" = precious ] || fail "the journal's link was followed"
rm -f out.h5.journal

# An output that is a link, replaced with --force: the link is replaced, not the victim.
ln -s victim run.h5
expect 0 '' run "$S" -r 1 -o run.h5 --force --quiet
[ "$(cat victim)" = precious ] || fail "mss run --force wrote through the output's link"
[ -f run.h5 ] && [ ! -L run.h5 ] || fail "run.h5 is still a link"

# Shards, then a merge into a name with links planted beside it.
expect 0 '' sweep "$W" -o s0.h5 --shard 0/2 --quiet
expect 0 '' sweep "$W" -o s1.h5 --shard 1/2 --quiet
ln -s victim m.h5.part
expect 0 '' merge m.h5 s0.h5 s1.h5
[ "$(cat victim)" = precious ] || fail "mss merge wrote through a link"

# Temporaries left by dead processes of this host are removed; a live process's (PID 1), a
# link, another host's and another output's stay.
sleep 0 &
dead=$!
wait $dead
printf 'x' >"out.h5.tmp-$host-$dead-0badf00d"
printf 'x' >"out.h5.tmp-$host-1-0badf00d"
ln -s victim "out.h5.tmp-$host-$dead-1badf00d"
printf 'x' >"out.h5.tmp-otherhost.invalid-$dead-0badf00d"
printf 'x' >"other.h5.tmp-$host-$dead-0badf00d"
expect 0 '' sweep "$W" -o out.h5 --force --quiet
[ ! -e "out.h5.tmp-$host-$dead-0badf00d" ] || fail "a dead process's temporary was kept"
for kept in "out.h5.tmp-$host-1-0badf00d" "out.h5.tmp-otherhost.invalid-$dead-0badf00d" \
    "other.h5.tmp-$host-$dead-0badf00d"; do
    [ -f "$kept" ] || fail "$kept was removed"
done
[ -L "out.h5.tmp-$host-$dead-1badf00d" ] || fail "a link named like a temporary was removed"
[ "$(cat victim)" = precious ] || fail "the victim changed"
printf 'x' >"m2.h5.tmp-$host-$dead-0badf00d"
expect 0 '' merge m2.h5 s0.h5 s1.h5
[ ! -e "m2.h5.tmp-$host-$dead-0badf00d" ] || fail "merge kept a dead process's temporary"
exit $status
