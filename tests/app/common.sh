# tests/app/common.sh — the start every app test script shares, sourced from the source root
# (`. "$(pwd)/tests/app/common.sh"`, the script's $1 being the mss binary): `mss`, `root` (the
# source root), a temporary directory `dir` removed at exit (read-only parts too) and made the
# working directory, `status` (the script's exit code), `fail MESSAGE` and
# `expect RC STDERR_RE ARGS...` (mss ARGS exits RC within 120 s and its standard error matches
# the extended regular expression; see expect.sh).
mss=$1
root=$(pwd)
dir=$(mktemp -d)
trap 'chmod -R u+w "$dir"; rm -rf "$dir"' EXIT
cd "$dir" || exit 1
status=0
fail() {
    echo "FAIL: $*"
    status=1
}
expect() {
    want=$1 re=$2
    shift 2
    sh "$root/tests/app/expect.sh" "$want" "" "$re" -- timeout -k 5 120 "$mss" "$@" || status=1
}
