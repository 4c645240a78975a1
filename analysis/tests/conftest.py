"""Fixtures of the analysis tests.

Two kinds of input files:
- synthetic files (analysis/tests/synthetic.py) for tests of the analysis code itself:
  error handling, numbers, plots;
- files written by the simulator during the test session, for tests that compare with the
  simulator (`mss summary`). The binary is $MSS_BIN, default build/release/sim/app/mss under
  the repository root; these fixtures FAIL (they do not skip) when it is missing, so that
  `make test` cannot pass without them.

Run from the repository root: /usr/bin/python3 -m pytest analysis/tests -q
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from analysis.tests import synthetic  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: opens reports in headless chromium (the "
                            "report_browser ctest test; analysis_pytest runs -m 'not browser')")


def mss_bin() -> Path:
    p = Path(os.environ.get("MSS_BIN", "build/release/sim/app/mss"))
    return p if p.is_absolute() else REPO / p


def run_analysis(*args, check=None, cwd=None) -> subprocess.CompletedProcess:
    """Runs `python3 -m analysis ARGS` in a subprocess (the real exit code and streams)."""
    env = dict(os.environ, MPLBACKEND="Agg",
               PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    p = subprocess.run([sys.executable, "-m", "analysis", *map(str, args)], cwd=cwd or REPO,
                       env=env, capture_output=True, text=True, timeout=600)
    if check is not None and p.returncode != check:
        raise AssertionError(f"analysis {' '.join(map(str, args))}: exit {p.returncode}, "
                             f"expected {check}\nstdout:\n{p.stdout}\nstderr:\n{p.stderr}")
    return p


def colour_count(png: Path) -> int:
    """Distinct colours in a PNG."""
    import matplotlib.image as mpimg
    img = mpimg.imread(png)
    if img.ndim == 2:
        img = img[:, :, None]
    rgba = np.zeros(img.shape[:2] + (4,), np.uint8)
    rgba[:, :, :img.shape[2]] = (img * 255).round().astype(np.uint8)
    return len(np.unique(rgba.view(np.uint32)))


def assert_png_not_blank(png: Path, min_colours: int = 16) -> None:
    assert png.exists(), f"{png} was not written"
    assert png.stat().st_size > 2000, f"{png} is suspiciously small"
    n = colour_count(png)
    assert n > min_colours, f"{png} looks blank: only {n} colours"


# ------------------------------------------------------------------------------------------
# Synthetic files

SWEEP_FACTORS = {"aircraft.B787-charter.count": [1, 2, 3], "contingent.Kenya.tour_days": [180, 365]}


@pytest.fixture(scope="session")
def syn_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("synthetic")


@pytest.fixture(scope="session")
def syn_plain(syn_dir) -> Path:
    return synthetic.write(syn_dir / "plain.h5", nan_kpi={"days_to_foc": (1, 4),
                                                          "gap_person_days": (1, 4)})


@pytest.fixture(scope="session")
def syn_sweep(syn_dir) -> Path:
    return synthetic.write(syn_dir / "sweep.h5", factors=SWEEP_FACTORS, replications=5, days=60)


# ------------------------------------------------------------------------------------------
# Files written by the simulator

def _run_mss(args: list[str], what: str) -> None:
    exe = mss_bin()
    if not exe.exists():
        pytest.fail(f"the simulator binary {exe} does not exist: build it first (`make build`) "
                    f"or point MSS_BIN at it; {what} needs a file written by the simulator",
                    pytrace=False)
    p = subprocess.run([str(exe), *args], cwd=REPO, capture_output=True, text=True,
                       timeout=1800)
    if p.returncode != 0:
        pytest.fail(f"`{exe} {' '.join(args)}` exited {p.returncode}\nstdout:\n{p.stdout}\n"
                    f"stderr:\n{p.stderr}", pytrace=False)


@pytest.fixture(scope="session")
def sim_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("simulator")


@pytest.fixture(scope="session")
def sim_plain(sim_dir) -> Path:
    out = sim_dir / "plain.h5"
    _run_mss(["run", "scenarios/baseline.toml", "-r", "8", "-o", str(out), "--force",
              "--set", "scenario.horizon_days=120"], "this test")
    return out


@pytest.fixture(scope="session")
def sim_sweep(sim_dir) -> Path:
    out = sim_dir / "sweep.h5"
    _run_mss(["sweep", "scenarios/sweeps/fleet-vs-tour.toml", "-o", str(out)], "this test")
    return out


@pytest.fixture(scope="session")
def sim_closure(sim_dir) -> Path:
    """scenarios/closure-2024-replay.toml (the historical arrivals), 4 runs: PAP closed to
    every class for 30 days and banned to commercial operators for 481 (those 30 included).
    The reworked closure-2024.toml adds a charter ban after the closure (its escort period)."""
    out = sim_dir / "closure.h5"
    _run_mss(["run", "scenarios/closure-2024-replay.toml", "-r", "4", "-o", str(out), "--force"],
             "this test")
    return out


@pytest.fixture(scope="session")
def sim_money(sim_dir) -> Path:
    """scenarios/closure-2024.toml, 8 runs: two payers (the UN trust fund and the US),
    their ledgers (`payer_*`) and balances (/series/payer_balance)."""
    out = sim_dir / "money.h5"
    _run_mss(["run", "scenarios/closure-2024.toml", "-r", "8", "-o", str(out), "--force"],
             "this test")
    return out


@pytest.fixture(scope="session")
def sim_optimize(sim_dir) -> Path:
    """`mss optimize tests/cluster/small_optimize.toml` (4 alternatives, a cost objective and
    one probability constraint; about two seconds): an mss-sim/2 file with /stage and
    /optimize."""
    out = sim_dir / "optimize.h5"
    _run_mss(["optimize", "tests/cluster/small_optimize.toml", "-o", str(out), "--force"],
             "this test")
    return out


@pytest.fixture(scope="session")
def sim_lhs(sim_dir) -> Path:
    """The shipped hypercube (scenarios/sweeps/closure-risk-lhs.toml), 2 replications of its
    40 points."""
    out = sim_dir / "lhs.h5"
    _run_mss(["sweep", "scenarios/sweeps/closure-risk-lhs.toml", "-o", str(out), "--force",
              "--set", "sweep.replications=2"], "this test")
    return out


@pytest.fixture(scope="session")
def sim_capped(sim_dir) -> Path:
    """The baseline, 3 runs of 200 days recording at most 300 events each."""
    out = sim_dir / "capped.h5"
    _run_mss(["run", "scenarios/baseline.toml", "-r", "3", "-o", str(out), "--force",
              "--set", "scenario.horizon_days=200", "--set", "output.max_events_per_run=300"],
             "this test")
    return out


def mss_text(*args) -> str:
    """What `$MSS_BIN ARGS` prints on stdout; the test fails when the binary is missing or
    exits non-zero."""
    exe = mss_bin()
    if not exe.exists():
        pytest.fail(f"the simulator binary {exe} does not exist: build it first (`make build`) "
                    "or point MSS_BIN at it", pytrace=False)
    p = subprocess.run([str(exe), *map(str, args)], cwd=REPO, capture_output=True, text=True,
                       timeout=600)
    if p.returncode != 0:
        pytest.fail(f"`mss {' '.join(map(str, args))}` exited {p.returncode}: {p.stderr}",
                    pytrace=False)
    return p.stdout


def mss_summary_csv(path: Path):
    """`mss summary FILE --csv` parsed into a DataFrame (NaN for empty cells, inf for
    never)."""
    from analysis.tests.helpers import read_csv_table
    return read_csv_table(mss_text("summary", path, "--csv"))
