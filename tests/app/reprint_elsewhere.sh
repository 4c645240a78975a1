#!/bin/bash
# tests/app/reprint_elsewhere.sh — `mss validate SWEEP --print` writes a sweep that validates
# and prints identically from another directory (its base scenario resolves from anywhere).
#   reprint_elsewhere.sh MSS SWEEP WORKDIR   (SWEEP relative to the current directory)
set -euo pipefail
mss=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
sweep=$2 work=$3
rm -rf "$work" && mkdir -p "$work/a" "$work/b/c"
"$mss" validate "$sweep" --print >"$work/a/printed.toml"
"$mss" validate "$sweep" >"$work/summary-here"
cd "$work/b/c"
"$mss" validate ../../a/printed.toml >/dev/null
"$mss" validate ../../a/printed.toml --print >../again.toml
cmp "$work/a/printed.toml" "$work/b/again.toml"
# The same sweep: the same identity hash and design as the original.
"$mss" validate ../../a/printed.toml | sed -n 's/.*(identity \([0-9a-f]*\)).*/\1/p' >../hash
sed -n 's/.*(identity \([0-9a-f]*\)).*/\1/p' "$work/summary-here" | cmp - ../hash
echo ok
