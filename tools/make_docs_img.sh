#!/usr/bin/env bash
# Regenerates the screenshots of the HTML report in docs/img/ (used by `make docs-img`, shown
# by README.md and docs/analysis.md): runs a few shipped scenarios and sweeps with the built
# simulator, writes their reports with the analysis package, and photographs some figures
# with the same headless chromium the browser test uses (python3 -m analysis.browser).
# Run from anywhere; paths are relative to the repo root.
#
#   report-filled.png    baseline: filled billets against authorised strength and the floor
#   report-reach.png     baseline: P(IOC) and P(FOC) by date
#   report-closures.png  closure-2024: the 30-day closure to all classes apart from the ban
#   report-grid.png      fleet-vs-tour: the two-factor grid of point means
#   report-effects.png   closure-risk-lhs: the effect ranking of the hypercube
#   report-compare.png   calm against baseline: the paired difference over time
#
# Environment: MSS_BIN (default build/release/sim/app/mss), PYTHON (default /usr/bin/python3,
# which has Debian's h5py), RUNS_DIR (default runs/docs-img), DOCS_IMG_DIR (default
# docs/img), REPS (replications of the plain runs, default 40). Exit 2 if the simulator is
# not built; 1 if a step fails or an image is over its size budget (150 kB each, 600 kB in
# all).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
MSS_BIN="${MSS_BIN:-build/release/sim/app/mss}"
PYTHON="${PYTHON:-/usr/bin/python3}"
RUNS_DIR="${RUNS_DIR:-runs/docs-img}"
DOCS_IMG_DIR="${DOCS_IMG_DIR:-docs/img}"
REPS="${REPS:-40}"
MAX_BYTES=150000
MAX_TOTAL=600000

if [[ ! -x "$MSS_BIN" ]]; then
    echo "make_docs_img.sh: simulator $MSS_BIN not found or not executable;" \
         "run 'make build' first (or set MSS_BIN)" >&2
    exit 2
fi
mkdir -p "$RUNS_DIR" "$DOCS_IMG_DIR"
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}"

"$MSS_BIN" run scenarios/baseline.toml -r "$REPS" -o "$RUNS_DIR/baseline.h5" --force --quiet >/dev/null
"$MSS_BIN" run scenarios/calm.toml -r "$REPS" -o "$RUNS_DIR/calm.h5" --force --quiet >/dev/null
"$MSS_BIN" run scenarios/closure-2024.toml -r "$REPS" -o "$RUNS_DIR/closure-2024.h5" --force --quiet >/dev/null
"$MSS_BIN" sweep scenarios/sweeps/fleet-vs-tour.toml -o "$RUNS_DIR/fleet-vs-tour.h5" --force --quiet >/dev/null
"$MSS_BIN" sweep scenarios/sweeps/closure-risk-lhs.toml -o "$RUNS_DIR/closure-risk-lhs.h5" --force --quiet >/dev/null

for name in baseline closure-2024 fleet-vs-tour closure-risk-lhs; do
    "$PYTHON" -m analysis report "$RUNS_DIR/$name.h5" -o "$RUNS_DIR/$name" --force >/dev/null
done
"$PYTHON" -m analysis compare "$RUNS_DIR/calm.h5" "$RUNS_DIR/baseline.h5" \
    -o "$RUNS_DIR/compare" --force >/dev/null 2>&1
"$PYTHON" -m analysis.browser -o "$DOCS_IMG_DIR" --prefix report- --width 1150 \
    "$RUNS_DIR/baseline/report.html::filled,reach" \
    "$RUNS_DIR/closure-2024/report.html::closures" \
    "$RUNS_DIR/fleet-vs-tour/report.html::grid" \
    "$RUNS_DIR/closure-risk-lhs/report.html::effects" \
    "$RUNS_DIR/compare/compare.html::compare_diff" >/dev/null
mv "$DOCS_IMG_DIR/report-compare_diff.png" "$DOCS_IMG_DIR/report-compare.png"

total=0
for f in filled reach closures grid effects compare; do
    img="$DOCS_IMG_DIR/report-$f.png"
    size=$(stat -c %s "$img")
    total=$((total + size))
    if (( size > MAX_BYTES )); then
        echo "make_docs_img.sh: $img is $size bytes, over the $MAX_BYTES-byte budget" >&2
        exit 1
    fi
done
if (( total > MAX_TOTAL )); then
    echo "make_docs_img.sh: the images take $total bytes, over the $MAX_TOTAL-byte budget" >&2
    exit 1
fi
echo "make_docs_img.sh: wrote 6 images ($total bytes) to $DOCS_IMG_DIR from $RUNS_DIR"
