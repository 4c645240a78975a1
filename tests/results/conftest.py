"""Fixtures for the results-contract and `mss run` tests: they drive the built `mss` binary
(path in $MSS_BIN, default build/release/sim/app/mss) on the shipped scenarios."""
import os
import pathlib
import subprocess

import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from h5identity import assert_identical  # noqa: E402,F401  (shared with tests/cluster)
os.environ.setdefault("MPLBACKEND", "Agg")

# Short runs keep the suite fast; the contract does not depend on the horizon.
SHORT = ["--set", "scenario.horizon_days=90"]


def mss_bin() -> pathlib.Path:
    p = pathlib.Path(os.environ.get("MSS_BIN", ROOT / "build/release/sim/app/mss"))
    if not p.is_file():
        pytest.fail(f"mss binary not found at {p}: build it first (make build) or set MSS_BIN")
    return p


def mss(*args, check=True, **kw):
    """Runs `mss ARGS` from the repository root; returns the CompletedProcess."""
    r = subprocess.run([str(mss_bin()), *map(str, args)], cwd=ROOT, capture_output=True,
                       text=True, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"mss {' '.join(map(str, args))} exited {r.returncode}\n"
                             f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}")
    return r


@pytest.fixture(scope="session")
def baseline_file(tmp_path_factory):
    """A small baseline results file written by the CLI: 6 runs of 90 days."""
    out = tmp_path_factory.mktemp("results") / "baseline.h5"
    mss("run", "scenarios/baseline.toml", "-r", 6, "-o", out, "--quiet", *SHORT)
    return out
