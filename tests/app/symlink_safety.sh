#!/bin/sh
# tests/app/symlink_safety.sh MSS — temporaries never follow a link (issue 24, item 1): every
# command writes its results under a fresh name created exclusively (OUT.tmp-HOST-PID-RANDOM),
# so links planted at the names an attacker can predict write nothing through them; a link at
# the journal's name is refused; the output with --force replaces the link, not what it points
# at; temporaries left by a killed process of this host are removed by the next sweep or
# merge, and nothing else is. Runs in a temporary directory; started from the source root.
#
# The links are planted and followed (or not) as the user running the test and, when that is
# root, again as an unprivileged user (nobody, through setpriv) in a directory of its own, with
# a victim file that user may write: root may write anywhere, so only an ordinary user shows
# that nothing but the refusal to follow links protects the victim. That part is skipped, with
# a note, where setpriv is missing or the user cannot run a copy of mss.
#
#   symlink_safety.sh MSS                   the test
#   symlink_safety.sh --key-cases MSS DIR   the cases with links, in DIR (as the other user)
set -u

# The cases with planted links, in the working directory; mss, W (a sweep), S (a scenario),
# host, expect and fail are set by the caller. Every file is the current user's.
key_cases() {
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
}

host=$(hostname | tr '/ \t' '___')

if [ "${1-}" = --key-cases ]; then
    # As the unprivileged user: the copies of mss, expect.sh and the inputs are in DIR/..
    mss=$2
    cd "$3" || exit 1
    W=../in/small_sweep.toml S=../in/small.toml
    status=0
    fail() {
        echo "FAIL (as $(id -un)): $*"
        status=1
    }
    expect() {
        want=$1 re=$2
        shift 2
        sh ../expect.sh "$want" "" "$re" -- timeout -k 5 120 "$mss" "$@" || status=1
    }
    key_cases
    exit $status
fi

. "$(pwd)/tests/app/common.sh"
W=$root/tests/cluster/small_sweep.toml
S=$root/tests/cluster/small.toml
mkdir own && cd own || exit 1
key_cases

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
cd "$dir" || exit 1

# The cases with links again as an unprivileged user, when this is root. The user gets copies
# of mss (which needs only system libraries), of expect.sh, of this script and of the inputs
# (the scenario resolved, so that its `extends` chain stays behind) in a directory it can
# traverse, and a working directory of its own: the source tree may not be readable by it.
if [ "$(id -u)" = 0 ]; then
    user=65534
    as_user="setpriv --reuid=$user --regid=$user --clear-groups"
    if ! command -v setpriv >/dev/null; then
        echo "note: the unprivileged cases are skipped: setpriv is missing"
    else
        chmod 755 "$dir"
        mkdir u u/in u/work
        cp "$mss" u/mss && cp "$root/tests/app/expect.sh" "$root/tests/app/symlink_safety.sh" u/ &&
            cp "$W" u/in/small_sweep.toml && "$mss" validate "$S" --print >u/in/small.toml 2>/dev/null ||
            fail "cannot prepare the unprivileged user's copies"
        chmod -R a+rX u && chown "$user:$user" u/work
        if ! $as_user "$dir/u/mss" --version >/dev/null 2>&1; then
            echo "note: the unprivileged cases are skipped: user $user cannot run a copy of mss in $dir"
        else
            # Links owned by the user in a directory of the user's: the kernel's protection of
            # links in sticky directories (fs.protected_symlinks) does not apply, only mss's.
            $as_user env -i PATH="$PATH" HOME="$dir/u/work" \
                sh "$dir/u/symlink_safety.sh" --key-cases "$dir/u/mss" "$dir/u/work" || status=1
            [ "$(stat -c %u u/work/victim 2>/dev/null)" = "$user" ] ||
                fail "the unprivileged cases did not run as user $user"
        fi
    fi
fi
exit $status
