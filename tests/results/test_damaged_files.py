"""Hostile and damaged results files (hardening issue, items 8 and 9).

Files claiming 2e9 runs in a few hundred kB (chunked datasets whose chunks were never written),
variables of mismatched lengths, wrong types or missing: `mss summary`, `mss merge` and
`python3 -m analysis summary`/`report` exit 2 with one line "FILE is damaged: WHAT", never
std::bad_alloc (exit 1) or a MemoryError traceback. They run under an address-space limit, so
a reader that tries to allocate what the file claims fails at once instead of swapping.

`mss sweep --resume` without a journal reads every dataset of an existing output before it
says "nothing to do": a damaged chunk (in /tables/events or /series) is exit 2, "damaged",
with the remedy."""
import os
import resource
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

from conftest import ROOT, mss, mss_bin

HUGE = 2_000_000_000
SWEEP = "tests/cluster/small_sweep.toml"
PYTHON = os.environ.get("MSS_PYTHON", "/usr/bin/python3")
LIMIT = 6 << 30   # bytes of address space for the commands under test


def _limited():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def run_limited(args):
    return subprocess.run([str(a) for a in args], cwd=ROOT, capture_output=True, text=True,
                          preexec_fn=_limited, timeout=600)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """`mss run tests/cluster/small.toml -r 2`: 2 runs of 240 days."""
    out = tmp_path_factory.mktemp("damaged") / "small.h5"
    mss("run", "tests/cluster/small.toml", "-r", 2, "-o", out, "--quiet")
    return out


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    """The two shards of a 4-run sweep (one replication of each of the 4 design points)."""
    d = tmp_path_factory.mktemp("damaged_shards")
    out = []
    for i in range(2):
        p = d / f"s{i}.h5"
        mss("sweep", SWEEP, "-o", p, "--quiet", "--shard", f"{i}/2", "--set",
            "sweep.replications=1")
        out.append(p)
    return out


def _recreate(f, name, shape, dtype=None, data=None):
    """Dataset `name` replaced by a chunked one of `shape` (its chunks never written unless
    `data`), keeping its attributes."""
    old = f[name]
    attrs = {k: old.attrs[k] for k in old.attrs if k not in ("DIMENSION_LIST", "REFERENCE_LIST")}
    dtype = dtype or old.dtype
    chunks = tuple([1] + [max(1, s) for s in shape[1:]]) if len(shape) > 1 else (1024,)
    del f[name]
    ds = f.create_dataset(name, shape=shape, dtype=dtype, chunks=chunks,
                          maxshape=tuple(None for _ in shape))
    if data is not None:
        ds[: len(data)] = data
    for k, v in attrs.items():
        ds.attrs[k] = v


def _per_run(f):
    """Every dataset whose first dimension is the run dimension."""
    n = f["run"].shape[0]
    factors = {x.decode() if isinstance(x, bytes) else str(x)
               for x in f["design_point"].attrs.get("factors", [])}
    out = []
    f.visititems(lambda k, o: out.append(k) if isinstance(o, h5py.Dataset) and o.ndim >= 1
                 and o.shape[0] == n and o.dtype.names is None and k not in (
                     "contingent", "series/contingent", "series/airport", "regimes/regime",
                     "regimes/stationary_share", "series/operator_class", "series/nv",
                     "design_point") and k not in factors and not k.startswith("series/time")
                 else None)
    return out


def huge_everywhere(f):
    """Every per-run variable and series claims 2e9 runs, consistently: a file of ~200 kB."""
    for k in _per_run(f):
        _recreate(f, k, (HUGE,) + f[k].shape[1:])


def huge_run_only(f):
    _recreate(f, "run", (HUGE,))


def huge_kpi(f):
    _recreate(f, "pax_in", (HUGE,))


def huge_events(f):
    _recreate(f, "tables/events", (HUGE,))


def longer_series(f):
    s = f["series/strength"][()]
    _recreate(f, "series/strength", (s.shape[0] + 1,) + s.shape[1:], data=s)


def kpi_as_text(f):
    n = f["run"].shape[0]
    del f["cost_usd"]
    f["cost_usd"] = np.array([b"lots"] * n)


def missing_seed(f):
    del f["seed"]


def contingent_kpi_short(f):
    ck = f["contingent_pax_in"][()]
    del f["contingent_pax_in"]
    f["contingent_pax_in"] = ck[:, :-1]


CASES = {
    # edit: (words in the message, an allocation the old readers attempted)
    "huge_everywhere": (huge_everywhere, "/run claims 2000000000 runs"),
    "huge_run_only": (huge_run_only, ("/point", "2000000000")),
    "huge_kpi": (huge_kpi, "/pax_in"),
    "huge_events": (huge_events, "/tables/events"),
    "longer_series": (longer_series, "/series"),
    "kpi_as_text": (kpi_as_text, "/cost_usd"),
    "missing_seed": (missing_seed, "/seed is missing"),
    "contingent_kpi_short": (contingent_kpi_short, "/contingent_pax_in"),
}


def damaged_copy(src, dst, edit):
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        edit(f)
    assert os.path.getsize(dst) < 2 * os.path.getsize(src) + 100_000   # claims, not bytes
    return dst


def assert_damaged(r, path, words):
    assert r.returncode == 2, f"exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    assert "Traceback" not in r.stderr and "bad_alloc" not in r.stderr, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if str(path) in ln]
    assert len(lines) == 1, r.stderr
    assert f"{path} is damaged: " in lines[0], r.stderr
    for w in (words,) if isinstance(words, str) else words:
        assert w in lines[0], r.stderr


# The run claims: only huge_everywhere is consistent, the others disagree with /run.
@pytest.mark.parametrize("case", sorted(CASES))
def test_mss_summary_refuses_a_damaged_file(small, tmp_path, case):
    edit, words = CASES[case]
    bad = damaged_copy(small, tmp_path / f"{case}.h5", edit)
    if case == "huge_events":   # `mss summary` does not read the events
        return
    assert_damaged(run_limited([mss_bin(), "summary", bad]), bad, words)


@pytest.mark.parametrize("case", sorted(CASES))
def test_mss_merge_refuses_a_damaged_shard(shards, tmp_path, case):
    edit, words = CASES[case]
    bad = damaged_copy(shards[1], tmp_path / f"{case}.h5", edit)
    out = tmp_path / "merged.h5"
    r = run_limited([mss_bin(), "merge", out, shards[0], bad])
    assert_damaged(r, bad, words)
    assert not out.exists() and not list(tmp_path.glob("merged.h5.tmp-*"))


@pytest.mark.parametrize("command", ["summary", "report"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_analysis_refuses_a_damaged_file(small, tmp_path, case, command):
    edit, words = CASES[case]
    bad = damaged_copy(small, tmp_path / f"{case}.h5", edit)
    if command == "summary" and case == "huge_events":
        return
    args = [PYTHON, "-m", "analysis", command, bad]
    if command == "report":
        args += ["-o", tmp_path / "report"]
    assert_damaged(run_limited(args), bad, words)
    assert not (tmp_path / "report").exists()


def test_a_run_claim_larger_than_memory_names_the_size(small, tmp_path):
    bad = damaged_copy(small, tmp_path / "huge.h5", huge_everywhere)
    r = run_limited([mss_bin(), "summary", bad])
    assert_damaged(r, bad, "/run claims 2000000000 runs")
    assert "GiB" in r.stderr


def test_a_point_outside_design_point_is_damaged(small, tmp_path):
    def edit(f):
        f["point"][1] = 7
    bad = damaged_copy(small, tmp_path / "point.h5", edit)
    assert_damaged(run_limited([mss_bin(), "summary", bad]), bad, "has point 7")


# --- item 9: --resume without a journal verifies the output it would accept ---

def _flip_inside_chunk(path, name, index=0):
    """Flips bytes in the middle of stored chunk `index` of `name` (a deflated chunk)."""
    with h5py.File(path, "r") as f:
        ds = f[name]
        info = ds.id.get_chunk_info(index)
        assert ds.compression == "gzip"
    assert info.size > 16
    with open(path, "r+b") as fh:
        mid = info.byte_offset + info.size // 2
        fh.seek(mid)
        b = bytearray(fh.read(8))
        fh.seek(mid)
        fh.write(bytes(x ^ 0x5A for x in b))


@pytest.fixture
def finished_sweep(tmp_path):
    out = tmp_path / "done.h5"
    mss("sweep", SWEEP, "-o", out, "--quiet", "-j", 2, "--set", "sweep.replications=1")
    return out


def test_resume_of_a_finished_sweep_still_does_nothing(finished_sweep):
    r = mss("sweep", SWEEP, "-o", finished_sweep, "--quiet", "-j", 2, "--set",
            "sweep.replications=1", "--resume")
    assert "nothing to do" in r.stdout


@pytest.mark.parametrize("name,index", [("tables/events", 0), ("series/strength", 2),
                                        ("series/airport_closed", 3), ("cost_usd", 0)])
def test_resume_refuses_an_output_with_a_damaged_chunk(finished_sweep, name, index):
    _flip_inside_chunk(finished_sweep, name, index)
    before = finished_sweep.read_bytes()
    args = ("sweep", SWEEP, "-o", finished_sweep, "--quiet", "-j", 2, "--set",
            "sweep.replications=1", "--resume")
    r = mss(*args, check=False)
    assert r.returncode == 2, f"exit {r.returncode}\n{r.stdout}\n{r.stderr}"
    assert "nothing to do" not in r.stdout
    assert f"{finished_sweep} is damaged: cannot read /{name}" in r.stderr, r.stderr
    assert "delete it" in r.stderr and "run the sweep again" in r.stderr
    assert finished_sweep.read_bytes() == before   # refused, not touched
    # The remedy works: --force runs the sweep again over it.
    mss(*args, "--force")
    r = mss(*args)
    assert "nothing to do" in r.stdout


def test_resume_refuses_an_output_with_events_of_another_run(finished_sweep):
    with h5py.File(finished_sweep, "r+") as f:
        ev = f["tables/events"]
        row = ev[-1]
        row["run"] = 99
        ev[-1] = row
    r = mss("sweep", SWEEP, "-o", finished_sweep, "--quiet", "--set", "sweep.replications=1",
            "--resume", check=False)
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"{finished_sweep} is damaged: /tables/events row" in r.stderr
    assert "run 99" in r.stderr


def test_resume_refuses_an_output_whose_runs_claim_2e9(finished_sweep):
    with h5py.File(finished_sweep, "r+") as f:
        huge_everywhere(f)
    r = run_limited([mss_bin(), "sweep", SWEEP, "-o", finished_sweep, "--quiet", "--set",
                     "sweep.replications=1", "--resume"])
    assert r.returncode == 2, r.stdout + r.stderr
    assert f"{finished_sweep} is damaged: /run claims 2000000000 runs" in r.stderr, r.stderr
