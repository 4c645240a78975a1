#!/bin/sh
# tests/app/inputs_kept.sh MSS — no output of a command (-o and --trace of run, -o of sweep,
# merge's OUT) is ever a file the command reads, even with --force: the scenario and every
# file it `extends`, the sweep file, its base and the base's parents, the shards of a merge.
# Compared as files (device and inode), so another spelling, a symbolic link or a hard link is
# refused too. Runs in a temporary directory; started from the source root.
set -u
. "$(pwd)/tests/app/common.sh"

# grand.toml <- parent.toml <- child.toml; sweep.toml's base is parent.toml; sub/link.toml is
# a symbolic link to parent.toml, hard.toml a hard link to grand.toml. Made afresh after each
# case, so that one overwrite does not hide the next.
printf 'extends = "%s"\n' "$root/tests/cluster/small.toml" >grand.before
printf 'extends = "grand.toml"\n[scenario]\nname = "parent"\n' >parent.before
printf 'extends = "parent.toml"\n[scenario]\nname = "child"\n' >child.before
sed 's/^base = .*/base = "parent.toml"/' "$root/tests/cluster/small_sweep.toml" >sweep.before
mkdir sub
fresh() {
    rm -f grand.toml parent.toml child.toml sweep.toml hard.toml sub/link.toml
    for f in grand parent child sweep; do cp $f.before $f.toml; done
    ln -s ../parent.toml sub/link.toml
    ln grand.toml hard.toml
}
fresh
kept() {
    for f in grand parent child sweep; do
        cmp -s $f.toml $f.before || fail "$last overwrote $f.toml"
    done
    [ -L sub/link.toml ] || fail "$last replaced the symbolic link sub/link.toml"
    fresh
}

last="run -o PARENT --force"
expect 2 '^mss run: -o parent.toml is parent.toml, which the scenario extends' \
    run child.toml -r 1 -q -o parent.toml --force
kept
last="run -o GRANDPARENT (hard link) --force"
expect 2 '^mss run: -o hard.toml is .*grand.toml, which the scenario extends' \
    run child.toml -r 1 -q -o hard.toml --force
kept
last="run -o ./sub/../child.toml --force"
expect 2 '^mss run: -o ./sub/../child.toml is the scenario file$' \
    run child.toml -r 1 -q -o ./sub/../child.toml --force
kept
last="run --trace PARENT (symbolic link) --force"
expect 2 '^mss run: --trace sub/link.toml is parent.toml, which the scenario extends' \
    run child.toml -r 1 -q --only 0 --trace sub/link.toml --force
kept
last="sweep -o SWEEP --force"
expect 2 '^mss sweep: -o sweep.toml is the sweep file$' sweep sweep.toml -q -o sweep.toml --force
kept
last="sweep -o BASE --force"
expect 2 '^mss sweep: -o sub/link.toml is parent.toml, which the sweep reads' \
    sweep sweep.toml -q -o sub/link.toml --force
kept
last="sweep -o BASE'S PARENT --force"
expect 2 '^mss sweep: -o grand.toml is .*grand.toml, which the sweep reads' \
    sweep sweep.toml -q -o grand.toml --force
kept
for j in sweep.toml.journal sub/link.toml.journal grand.toml.journal; do
    [ -e $j ] && fail "a refused sweep left $j"
done

# merge: the output may not be one of the shards (a hard link to one included).
last="sweep shard"
expect 0 '' sweep sweep.toml -q -j 1 -o shard.h5 --set sweep.replications=1 --set 'factor[0].values=[1]'
ln shard.h5 shard-link.h5
cp shard.h5 shard.before
last="merge HARD LINK OF SHARD --force"
expect 2 'is also given as a shard' merge shard-link.h5 shard.h5 --force
cmp -s shard.h5 shard.before || fail "merge overwrote its shard"
exit $status
