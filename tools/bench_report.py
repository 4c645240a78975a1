#!/usr/bin/python3
"""How long `python3 -m analysis report` takes (wall seconds, without --png) on the files the
performance targets of the HTML report name: the baseline with 100 runs (target <= 3 s), the
baseline with 2,000 runs (<= 15 s) and the shipped 40-point hypercube sweep (<= 10 s).

A benchmark, not a test: it writes the files with the simulator, times the report of each
(best of --repeat, a fresh `python3 -m analysis` process each time, imports included), prints
the times and the page sizes and says which target a time misses; exit 0 either way, 2 when
the simulator is not built. `--profile` also prints the top of cProfile for each file.

    tools/bench_report.py [--mss build/release/sim/app/mss] [--dir runs/bench-report]
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = [  # (name, simulator arguments, target seconds)
    ("baseline-100", ["run", "scenarios/baseline.toml", "-r", "100"], 3.0),
    ("baseline-2000", ["run", "scenarios/baseline.toml", "-r", "2000"], 15.0),
    ("closure-risk-lhs", ["sweep", "scenarios/sweeps/closure-risk-lhs.toml"], 10.0),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mss", default=os.environ.get("MSS_BIN", "build/release/sim/app/mss"))
    ap.add_argument("--dir", default="runs/bench-report", help="where the files go")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action="store_true", help="print cProfile's top 25 too")
    args = ap.parse_args()
    os.chdir(ROOT)
    mss = Path(args.mss)
    if not mss.is_file():
        print(f"bench_report: simulator {mss} not found; run 'make build' (or --mss)",
              file=sys.stderr)
        return 2
    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with open("/proc/loadavg") as f:
        load = f.read().split()[0]
    print(f"analysis report, wall seconds (best of {args.repeat}); {os.cpu_count()} cores, "
          f"load {load}")
    print(f"{'file':<20} {'runs':>6} {'seconds':>8} {'page MB':>8}  target")
    for name, sim, target in CASES:
        h5 = out / f"{name}.h5"
        subprocess.run([str(mss), *sim, "-o", str(h5), "--force", "--quiet"], check=True,
                       stdout=subprocess.DEVNULL)
        report = [sys.executable, "-m", "analysis", "report", str(h5), "-o", str(out / name),
                  "--force"]
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            subprocess.run(report, check=True, env=env, stdout=subprocess.DEVNULL)
            best = min(best, time.perf_counter() - t0)
        import h5py
        with h5py.File(h5, "r") as f:
            runs = f["run"].shape[0]
        mb = (out / name / "report.html").stat().st_size / 1e6
        verdict = "ok" if best <= target else "MISSED"
        print(f"{name:<20} {runs:>6} {best:>8.2f} {mb:>8.2f}  <= {target:g} s: {verdict}")
        if args.profile:
            subprocess.run([sys.executable, "-m", "cProfile", "-s", "cumtime", "-m", "analysis",
                            "report", str(h5), "-o", str(out / name), "--force"], env=env,
                           check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
