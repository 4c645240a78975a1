"""Fixtures for the results-contract and `mss run` tests: they drive the built `mss` binary
(path in $MSS_BIN, default build/release/sim/app/mss) on the shipped scenarios."""
import os
import pathlib
import subprocess

import h5py
import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
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


# Columns and attributes that record the wall clock or the invocation (DESIGN §2).
VOLATILE_COLUMNS = {"wall_s"}
VOLATILE_ATTRS = {"created_utc", "command_line"}


def _equal(a, b) -> bool:
    if a.dtype.names:
        if a.dtype.names != b.dtype.names:
            return False
        return all(_equal(a[n], b[n]) for n in a.dtype.names if n not in VOLATILE_COLUMNS)
    if a.shape != b.shape:
        return False
    if a.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def datasets(f: h5py.File) -> dict:
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj[()])
                 if isinstance(obj, h5py.Dataset) else None)
    return out


def assert_identical(path_a, path_b, rows=None):
    """Every dataset equal value for value (NaN == NaN), except the volatile columns; with
    `rows`, compares the first `rows` runs of b with a (a must hold exactly `rows` runs)."""
    with h5py.File(path_a, "r") as fa, h5py.File(path_b, "r") as fb:
        da, db = datasets(fa), datasets(fb)
        assert da.keys() == db.keys()
        for name in da:
            a, b = da[name], db[name]
            if rows is not None and name in PER_RUN:
                b = b[:rows]
            if rows is not None and name == "events":
                b = b[b["run"] < rows]
            assert _equal(a, b), f"dataset {name} differs"
        for obj in ("scenario",):
            assert dict(fa[obj].attrs) == dict(fb[obj].attrs)
        ra = {k: v for k, v in fa.attrs.items() if k not in VOLATILE_ATTRS}
        rb = {k: v for k, v in fb.attrs.items() if k not in VOLATILE_ATTRS}
        assert ra == rb


PER_RUN = {"runs", "contingent_kpis", "series/strength", "series/on_duty",
           "series/waiting_at_origin", "series/in_transit", "series/airport_open",
           "series/regime", "series/run"}


@pytest.fixture(scope="session")
def baseline_file(tmp_path_factory):
    """A small baseline results file written by the CLI: 6 runs of 90 days."""
    out = tmp_path_factory.mktemp("results") / "baseline.h5"
    mss("run", "scenarios/baseline.toml", "-r", 6, "-o", out, "--quiet", *SHORT)
    return out
