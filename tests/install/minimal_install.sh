#!/bin/bash
# tests/install/minimal_install.sh — the minimal configuration of docs/install.md builds and
# installs, and the installed tree works after being moved: no test libraries, no benchmark,
# no ISA-L (zlib deflates), no MPI. Compiled at -O0 without debug info, the cheapest build that
# compiles every source file of mss. Then, from the moved prefix: mss --version, a run, a
# sweep in two shards through the installed sweep-array.sbatch (which must find the installed
# mss by itself: no MSS, no mss on PATH), the installed merge.sbatch, and the analysis package.
#   minimal_install.sh SOURCE_DIR WORK_DIR      (WORK_DIR is kept: a rerun builds incrementally)
set -euo pipefail
src=$(cd "$1" && pwd)
work=$2
mkdir -p "$work"
work=$(cd "$work" && pwd)
python=${MSS_PYTHON:-/usr/bin/python3}
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
start=$(date +%s)

cmake -S "$src" -B "$work/build" "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_CXX_FLAGS_DEBUG=-O0 -DCMAKE_C_FLAGS_DEBUG=-O0 \
    -DMSS_BUILD_TESTS=OFF -DMSS_BUILD_BENCH=OFF -DMSS_WITH_ISAL=OFF -DMSS_WITH_MPI=OFF \
    >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" -j "${MSS_INSTALL_TEST_JOBS:-2}" >"$work/build.log" 2>&1 ||
    { tail -50 "$work/build.log"; exit 1; }
if grep -q "warning:" "$work/build.log"; then
    grep -B2 -A5 "warning:" "$work/build.log"
    echo "FAIL: the minimal build has warnings"
    exit 1
fi
built=$(date +%s)
rm -rf "$work/prefix" "$work/moved"
cmake --install "$work/build" --prefix "$work/prefix" >"$work/install.log"
mv "$work/prefix" "$work/moved"  # relocatable: nothing may point back into the prefix
p=$work/moved

fail() {
    echo "FAIL: $*"
    exit 1
}
[ -x "$p/bin/mss" ] || fail "no bin/mss"
for f in submit.sh sweep-array.sbatch sweep-mpi.sbatch merge.sbatch; do
    [ -x "$p/share/mss-sim/cluster/$f" ] || fail "no executable share/mss-sim/cluster/$f"
done
[ -f "$p/share/mss-sim/scenarios/baseline.toml" ] || fail "no shipped scenarios"
[ -f "$p/share/mss-sim/python/analysis/__main__.py" ] || fail "no analysis package"
[ ! -e "$p/share/mss-sim/python/analysis/tests" ] || fail "the analysis tests are installed"

"$p/bin/mss" --version >"$work/version"
grep -q "^MPI: *none (built without MPI)$" "$work/version" || fail "--version: $(cat "$work/version")"
grep -q "^deflate: *zlib " "$work/version" || fail "--version: $(cat "$work/version")"

run=$work/run
rm -rf "$run" && mkdir -p "$run" && cd "$run"
# No mss on PATH: the scripts must find the installed one.
path=$(printf '%s' "$PATH" | tr ':' '\n' | while read -r d; do [ -x "$d/mss" ] || printf '%s:' "$d"; done)
path=${path%:}
"$p/bin/mss" run "$p/share/mss-sim/scenarios/baseline.toml" -r 2 --set scenario.horizon_days=120 \
    -o one.h5 --quiet >run.out
"$p/bin/mss" summary one.h5 | grep -q "^days_to_ioc" || fail "summary of a zlib-deflated file"
sweep=$p/share/mss-sim/scenarios/sweeps/fleet-vs-tour.toml
for i in 0 1; do
    env -i PATH="$path" HOME="$run" SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_MIN=0 \
        SLURM_ARRAY_TASK_MAX=1 SWEEP="$sweep" SETS="--set sweep.replications=1" \
        bash "$p/share/mss-sim/cluster/sweep-array.sbatch" >"task$i.out" 2>&1 ||
        { cat "task$i.out"; fail "installed sweep-array.sbatch, task $i"; }
done
env -i PATH="$path" HOME="$run" SWEEP="$sweep" REMOVE_SHARDS=1 \
    bash "$p/share/mss-sim/cluster/merge.sbatch" >merge.out 2>&1 ||
    { cat merge.out; fail "installed merge.sbatch"; }
grep -q "= 4 runs) into runs/fleet-vs-tour.h5" merge.out || fail "merge: $(cat merge.out)"
PYTHONPATH=$p/share/mss-sim/python "$python" -m analysis --help >/dev/null ||
    fail "python3 -m analysis from the installed package"
end=$(date +%s)
echo "minimal build $((built - start)) s, install and checks $((end - built)) s: ok"
