"""A sweep gives identical results (DESIGN §2) however it is run: one thread, two threads,
three shards merged, two MPI ranks; a one-point sweep equals `mss run`; run ids, /points and
common random numbers are as documented."""
import re
import shutil

import h5py
import numpy as np
import pytest

from conftest import (ROOT, SHARD_ATTRS, SWEEP, assert_identical, mpiexec, mpirun, mss, sweep)

R = 4   # replications of small_sweep.toml
P = 4   # design points


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The sweep on one thread: the reference every other way must reproduce."""
    out = tmp_path_factory.mktemp("ref") / "serial.h5"
    sweep(out, "-j", 1)
    return out


def test_two_threads_give_identical_results(reference, tmp_path):
    out = tmp_path / "j2.h5"
    sweep(out, "-j", 2)
    assert_identical(reference, out)


def test_three_shards_merged_give_identical_results(reference, tmp_path):
    shards = []
    for i in range(3):
        s = tmp_path / f"shard{i}.h5"
        sweep(s, "-j", 1, "--shard", f"{i}/3")
        shards.append(s)
    # Shard I of N holds run ids [floor(I T / N), floor((I + 1) T / N)), T = 16.
    bounds = [0, 5, 10, 16]
    for i, s in enumerate(shards):
        with h5py.File(s) as f:
            assert list(f["run"]) == list(range(bounds[i], bounds[i + 1]))
            assert list(f["series/run"][:]) == list(range(bounds[i], bounds[i + 1]))
            assert f.attrs["shard"] == f"{i}/3"
            assert f.attrs["sweep_runs"] == "16"
            assert f["design_point"].shape == (P,)
    merged = tmp_path / "merged.h5"
    r = mss("merge", merged, shards[2], shards[0], shards[1])   # any order
    assert "16 runs" in r.stdout
    assert_identical(reference, merged)
    assert not list(tmp_path.glob("merged.h5.tmp-*"))


@pytest.mark.skipif(mpiexec() is None, reason="mss built without MPI")
def test_two_mpi_ranks_give_identical_results(reference, tmp_path):
    out = tmp_path / "mpi.h5"
    r = mpirun(2, "sweep", SWEEP, "-o", out, "-j", 1, "--quiet")
    assert "2 MPI ranks" in r.stdout
    assert_identical(reference, out)
    assert not (tmp_path / "mpi.h5.journal").exists()


@pytest.mark.skipif(mpiexec() is None, reason="mss built without MPI")
def test_mpi_shard_merges_with_a_serial_shard(reference, tmp_path):
    a, b = tmp_path / "a.h5", tmp_path / "b.h5"
    mpirun(2, "sweep", SWEEP, "-o", a, "-j", 1, "--quiet", "--shard", "0/2")
    sweep(b, "-j", 2, "--shard", "1/2")
    merged = tmp_path / "m.h5"
    mss("merge", merged, a, b)
    assert_identical(reference, merged)


@pytest.mark.skipif(mpiexec() is None, reason="mss built without MPI")
def test_one_node_job_uses_the_shared_memory_pml_unless_one_is_chosen(tmp_path):
    # Open MPI logs which PML components it loads; on one node mss asks for ob1 only (the cm
    # PML, which opens the PSM fabric libraries, is not even loaded), unless the user chose.
    verbose = {"OMPI_MCA_pml_base_verbose": "10"}
    r = mpirun(2, "sweep", SWEEP, "-o", tmp_path / "a.h5", "-j", 1, "--quiet",
               extra_env=verbose)
    log = r.stdout + r.stderr
    assert log.count("component ob1 selected") == 2, log
    assert "found loaded component ob1" in log, log
    assert "found loaded component cm" not in log, log
    # The user's choice stands: excluding ucx (as Debian's own configuration does) leaves
    # Open MPI to try the others, cm included.
    r = mpirun(2, "sweep", SWEEP, "-o", tmp_path / "b.h5", "-j", 1, "--quiet",
               extra_env={**verbose, "OMPI_MCA_pml": "^ucx"})
    log = r.stdout + r.stderr
    assert "found loaded component cm" in log, log
    assert_identical(tmp_path / "a.h5", tmp_path / "b.h5")


def test_run_ids_points_and_factor_columns(reference):
    with h5py.File(reference) as f:
        assert list(f["run"]) == list(range(P * R))
        assert list(f["point"]) == [i // R for i in range(P * R)]
        assert list(f["replication"]) == [i % R for i in range(P * R)]
        assert set(f["seed"]) == {11}
        assert list(f["design_point"]) == list(range(P))
        assert [k.decode() if isinstance(k, bytes) else k for k in
                f["design_point"].attrs["factors"]] == ["aircraft.B787-charter.count",
                                                         "contingent.Kenya.tour_days"]
        assert list(f["aircraft.B787-charter.count"]) == [1, 1, 2, 2]   # first factor slowest
        # Distribution tables are not numbers: stored as their index in `values`.
        assert list(f["contingent.Kenya.tour_days"]) == [0, 1, 0, 1]
        sc = f["scenario"].attrs
        assert len(sc["sweep_hash"]) == 16 and "[sweep]" in sc["sweep_toml"]
        assert "shard" not in f.attrs


def test_common_random_numbers_across_design_points(reference):
    """Replication r of every design point draws the same numbers for the same purpose: the
    violence process does not depend on the factors here, so its regime path and the airport
    closures it causes are the same in every point of the same replication."""
    with h5py.File(reference) as f:
        regime = f["series/regime"][:]
        airport = f["series/airport_open"][:]
        for p in range(1, P):
            for r in range(R):
                assert np.array_equal(regime[p * R + r], regime[r])
                assert np.array_equal(airport[p * R + r], airport[r])
        # ... and different replications differ.
        assert not np.array_equal(regime[0], regime[1])


def test_one_point_sweep_equals_mss_run(tmp_path):
    base = ROOT / "tests/cluster/small.toml"
    one = tmp_path / "one.toml"
    one.write_text(f'[sweep]\nname = "one"\nbase = "{base}"\nseed = 5\nreplications = 3\n')
    a, b = tmp_path / "sweep.h5", tmp_path / "run.h5"
    mss("sweep", one, "-o", a, "--quiet", "-j", 2)
    mss("run", base, "--seed", 5, "-r", 3, "-o", b, "--quiet", "-j", 1)
    # Same datasets and the same resolved scenario; the sweep adds its text and hash.
    assert_identical(a, b, scenario_attrs=False)
    with h5py.File(a) as fa, h5py.File(b) as fb:
        assert fa["scenario"].attrs["toml"] == fb["scenario"].attrs["toml"]
        assert "sweep_hash" in fa["scenario"].attrs and "sweep_hash" not in fb["scenario"].attrs


def test_first_replications_of_a_larger_sweep_are_the_same_runs(reference, tmp_path):
    """Run (p, r) does not depend on R: rows p*R + r of an R=4 sweep equal rows p*6 + r of an
    R=6 sweep."""
    out = tmp_path / "r6.h5"
    sweep(out, "-j", 2, "--set", "sweep.replications=6")
    with h5py.File(reference) as f, h5py.File(out) as g:
        a, b = f["series/strength"][:], g["series/strength"][:]
        ka, kb = f["cost_usd"][:], g["cost_usd"][:]
        for p in range(P):
            for r in range(R):
                assert np.array_equal(a[p * R + r], b[p * 6 + r], equal_nan=True)
                assert ka[p * R + r] == kb[p * 6 + r]


def test_summary_per_design_point_is_printed(tmp_path):
    """One row per design point (docs/statistics.md): the point, its factor values, its runs."""
    r = sweep(tmp_path / "s.h5", "-j", 2)
    lines = r.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("point "))
    assert lines[head].split()[:4] == ["point", "aircraft.B787-charter.count",
                                       "contingent.Kenya.tour_days", "runs"]
    for p in range(P):
        row = lines[head + 2 + p]
        assert row.split()[:2] == [str(p), str(1 + p // 2)], row
    assert "16 runs" in r.stdout


def test_the_sweep_header_counts_the_threads_started(tmp_path):
    r = sweep(tmp_path / "s.h5", "-j", 64, "--set", "sweep.replications=1")
    assert "\n4 threads, 240 days\n" in r.stdout


def test_mss_summary_reads_a_sweep(reference):
    r = mss("summary", reference)
    rows = r.stdout.splitlines()[2:2 + P]
    assert [int(row.split()[0]) for row in rows] == list(range(P))
    # Factor values as `mss sweep` prints them: a distribution as its table, not its index.
    assert re.match(r'1 +1 +\{ dist = "normal", lower = 300.0, mean = 365.0, sd = 15.0, '
                    r'upper = 430.0 \} +4 ', rows[1]), rows[1]
    r = mss("summary", reference, "--point", 1)
    assert r.stdout.startswith(
        'design point 1: aircraft.B787-charter.count=1, contingent.Kenya.tour_days='
        '{ dist = "normal", lower = 300.0, mean = 365.0, sd = 15.0, upper = 430.0 }\n')


def test_mss_summary_without_a_readable_sweep_text_shows_points(reference, tmp_path):
    """When the kept sweep text cannot be read again, the labels are /points' numbers."""
    copy = tmp_path / "copy.h5"
    shutil.copy(reference, copy)
    with h5py.File(copy, "r+") as f:
        f["scenario"].attrs["sweep_toml"] = "[sweep\n"
    r = mss("summary", copy, "--point", 1)
    assert r.stdout.startswith(
        "design point 1: aircraft.B787-charter.count=1, contingent.Kenya.tour_days=1\n")
    rows = mss("summary", copy).stdout.splitlines()[2:2 + P]
    assert [row.split()[:3] for row in rows] == [["0", "1", "0"], ["1", "1", "1"],
                                                 ["2", "2", "0"], ["3", "2", "1"]]


def test_nine_points_get_one_line_each(tmp_path):
    """`mss sweep` closes with one line per point: the point, its factor values, its runs, then
    the default KPIs as mean [95% CI] (first-day KPIs: share reaching [95% CI])."""
    sweep_file = tmp_path / "nine.toml"
    sweep_file.write_text(f"""
[sweep]
name = "nine"
base = "{ROOT / 'tests/cluster/small.toml'}"
seed = 3
replications = 2
design = "lhs"
samples = 9

[[factor]]
key = "aircraft.B787-charter.count"
range = [1, 3]
integer = true
""")
    r = mss("sweep", sweep_file, "-o", tmp_path / "nine.h5", "--quiet")
    lines = r.stdout.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("point "))
    assert lines[head].split()[:3] == ["point", "aircraft.B787-charter.count", "runs"]
    rows = lines[head + 2:head + 11]
    assert [int(row.split()[0]) for row in rows] == list(range(9))
    for row in rows:
        cells = row.split()
        assert cells[1] in ("1", "2", "3") and cells[2] == "2", row
        assert row.count("[") == 5, row  # five KPIs, each with its interval
    assert "design point 0" not in r.stdout  # no full tables
