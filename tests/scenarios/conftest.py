"""Shared by the tests of the shipped scenarios' answers: the `mss` they run, and running it
from the source root (so that scenarios/ resolves) into a temporary directory."""
import os
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))


def mss_bin() -> pathlib.Path:
    """The built `mss`: $MSS_BIN, default build/release/sim/app/mss."""
    p = pathlib.Path(os.environ.get("MSS_BIN", ROOT / "build/release/sim/app/mss"))
    if not p.is_file():
        pytest.fail(f"mss binary not found at {p}: build it first (make build) or set MSS_BIN")
    return p


def mss(*args) -> None:
    """Runs `mss ARGS -j 2 --quiet` from the source root; fails the test if it fails."""
    subprocess.run([str(mss_bin()), *map(str, args), "-j", "2", "--quiet"], cwd=ROOT,
                   check=True, capture_output=True)
