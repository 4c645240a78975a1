#!/usr/bin/env bash
# Regenerates the README figure docs/img/strength.png (used by `make docs-img`): runs the
# baseline scenario with the built simulator, 20 replications, then draws the total-strength
# fan chart with the analysis package. Run from anywhere; paths are relative to the repo root.
#
# Environment: MSS_BIN (default build/release/sim/app/mss), PYTHON (default /usr/bin/python3,
# which has Debian's h5py), RUNS_FILE (default runs/docs-img.h5), DOCS_IMG (default
# docs/img/strength.png). Exit 2 if the simulator is not built; 1 if a step fails or the
# image is over its size budget (150 KB).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MSS_BIN="${MSS_BIN:-build/release/sim/app/mss}"
PYTHON="${PYTHON:-/usr/bin/python3}"
RUNS_FILE="${RUNS_FILE:-runs/docs-img.h5}"
DOCS_IMG="${DOCS_IMG:-docs/img/strength.png}"
MAX_BYTES=150000

if [[ ! -x "$MSS_BIN" ]]; then
    echo "make_docs_img.sh: simulator $MSS_BIN not found or not executable;" \
         "run 'make build' first (or set MSS_BIN)" >&2
    exit 2
fi
mkdir -p "$(dirname "$RUNS_FILE")" "$(dirname "$DOCS_IMG")"

"$MSS_BIN" run scenarios/baseline.toml -r 20 -o "$RUNS_FILE" --force
MPLBACKEND=Agg "$PYTHON" -m analysis plot strength "$RUNS_FILE" --total-only -o "$DOCS_IMG"

size=$(stat -c %s "$DOCS_IMG")
if (( size > MAX_BYTES )); then
    echo "make_docs_img.sh: $DOCS_IMG is $size bytes, over the $MAX_BYTES-byte budget" >&2
    exit 1
fi
echo "make_docs_img.sh: wrote $DOCS_IMG ($size bytes) from $RUNS_FILE"
