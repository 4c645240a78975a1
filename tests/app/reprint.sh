#!/bin/sh
# tests/app/reprint.sh — `mss validate FILE --print` writes a file that validates again and
# prints identically.   reprint.sh MSS FILE WORKDIR
set -eu
mss=$1 file=$2 work=$3
mkdir -p "$work"
name=$(basename "$file")
"$mss" validate "$file" --print >"$work/$name"
"$mss" validate "$work/$name" >/dev/null
"$mss" validate "$work/$name" --print >"$work/again-$name"
cmp "$work/$name" "$work/again-$name"
