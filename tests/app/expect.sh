#!/bin/sh
# tests/app/expect.sh — runs a command and checks its exit code, standard output and standard
# error against extended regular expressions (an empty pattern matches anything; the pattern
# "EMPTY" requires the stream to be empty).
#   expect.sh RC STDOUT_RE STDERR_RE -- COMMAND [ARG]...
set -u
want_rc=$1 out_re=$2 err_re=$3
shift 4
dir=$(mktemp -d)
"$@" >"$dir/out" 2>"$dir/err"
rc=$?
status=0
if [ "$rc" != "$want_rc" ]; then
  echo "exit code $rc, expected $want_rc"; status=1
fi
check() {  # stream pattern
  if [ "$2" = "EMPTY" ]; then
    if [ -s "$dir/$1" ]; then echo "std$1 is not empty"; status=1; fi
  elif [ -n "$2" ] && ! grep -Eq -- "$2" "$dir/$1"; then
    echo "std$1 does not match: $2"; status=1
  fi
}
check out "$out_re"
check err "$err_re"
if [ "$status" != 0 ]; then
  echo "--- command: $*"; echo "--- stdout:"; cat "$dir/out"; echo "--- stderr:"; cat "$dir/err"
fi
rm -rf "$dir"
exit $status
