"""`mss run` end to end: determinism (DESIGN §2), reruns with a trace, interrupts, bad input."""
import csv
import os
import signal
import subprocess
import time

import h5py
import numpy as np
import pytest

from conftest import SHORT, assert_identical, mss, mss_bin, ROOT


def run_file(tmp_path, name, *args):
    out = tmp_path / name
    mss("run", "scenarios/baseline.toml", "-o", out, "--quiet", *SHORT, *args)
    return out


def test_thread_count_does_not_change_results(tmp_path):
    a = run_file(tmp_path, "j1.h5", "-r", 8, "-j", 1)
    b = run_file(tmp_path, "j2.h5", "-r", 8, "-j", 2)
    assert_identical(a, b)


def test_two_identical_invocations_give_identical_results(tmp_path):
    a = run_file(tmp_path, "a.h5", "-r", 4, "--seed", 7)
    b = run_file(tmp_path, "b.h5", "-r", 4, "--seed", 7)
    assert_identical(a, b)


def test_fewer_replications_are_a_prefix_of_more(tmp_path):
    a = run_file(tmp_path, "r10.h5", "-r", 10)
    b = run_file(tmp_path, "r40.h5", "-r", 40)
    assert_identical(a, b, rows=10)


def test_another_seed_gives_other_results(tmp_path):
    a = run_file(tmp_path, "s1.h5", "-r", 3, "--seed", 1)
    b = run_file(tmp_path, "s2.h5", "-r", 3, "--seed", 2)
    with h5py.File(a) as fa, h5py.File(b) as fb:
        assert not np.array_equal(fa["events"][:], fb["events"][:])


def test_only_with_trace_reproduces_one_run_exactly(tmp_path):
    full = run_file(tmp_path, "full.h5", "-r", 5)
    trace = tmp_path / "trace.csv"
    only = tmp_path / "only.h5"
    mss("run", "scenarios/baseline.toml", "--only", 3, "--trace", trace, "-o", only, "--quiet",
        *SHORT)
    with h5py.File(full) as f, h5py.File(only) as g:
        ev = f["events"][:]
        ev = ev[ev["run"] == 3]
        runs_full = f["runs"][3]
        runs_only = g["runs"][0]
        for name in runs_full.dtype.names:
            if name != "wall_s":
                a, b = runs_full[name], runs_only[name]
                assert (a == b) or (np.isnan(a) and np.isnan(b)), name
        for s in ("strength", "on_duty", "airport_open"):
            assert np.array_equal(f["series"][s][3], g["series"][s][0], equal_nan=True)
    with open(trace, newline="") as fh:
        rows = list(csv.DictReader(fh))
    kinds = list(h5py.File(full)["events"].attrs["kind_labels"])
    assert len(rows) == len(ev)
    for r, e in zip(rows, ev):
        assert float(r["t_h"]) == e["t_h"]
        assert r["kind"] == kinds[e["kind"]]
        assert int(r["count"]) == e["count"]


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_mid_run_leaves_no_file(tmp_path, sig, code):
    out = tmp_path / "big.h5"
    p = subprocess.Popen([str(mss_bin()), "run", "scenarios/baseline.toml", "-r", "100000",
                          "-o", str(out), "--quiet"], cwd=ROOT, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)
    p.send_signal(sig)
    _, err = p.communicate(timeout=60)
    assert p.returncode == code, err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []  # the temporary is gone too


@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_during_a_trace_leaves_no_file(tmp_path, sig, code):
    """The traced run stops at the end of a day: exit 130 or 143, no trace, no temporary."""
    trace = tmp_path / "t.csv"
    # A century: the run takes most of a second after the trace's temporary file appears.
    p = subprocess.Popen([str(mss_bin()), "run", "scenarios/baseline.toml", "--only", "0",
                          "--set", "scenario.horizon_days=36500", "--trace", str(trace),
                          "--quiet"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    deadline = time.monotonic() + 60
    while not list(tmp_path.iterdir()) and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    assert p.poll() is None, "the trace ended before the signal could be sent"
    p.send_signal(sig)
    _, err = p.communicate(timeout=60)
    assert p.returncode == code, err
    assert "interrupted; no trace was written" in err
    assert list(tmp_path.iterdir()) == []


def test_existing_output_needs_force(tmp_path):
    out = run_file(tmp_path, "x.h5", "-r", 1)
    before = out.stat().st_mtime_ns
    r = mss("run", "scenarios/baseline.toml", "-r", 1, "-o", out, "--quiet", check=False)
    assert r.returncode == 2
    assert "--force" in r.stderr and str(out) in r.stderr
    assert out.stat().st_mtime_ns == before


@pytest.mark.parametrize("args,needle", [
    (["--bogus"], "--bogus"),
    (["-r", "0"], "-r"),
    (["-r", "abc"], "-r"),
    (["-j", "0"], "-j"),
])
def test_bad_flags_exit_2_and_write_nothing(tmp_path, args, needle):
    out = tmp_path / "o.h5"
    r = mss("run", "scenarios/baseline.toml", "-o", out, *args, check=False)
    assert r.returncode == 2, r.stderr
    assert needle in r.stderr
    assert not out.exists()


@pytest.mark.parametrize("flag", ["-o", "--trace"])
def test_an_option_is_not_taken_as_a_file_name(tmp_path, flag):
    """`-o -q` is a forgotten value, not a file named "-q"."""
    extra = ["--only", "0"] if flag == "--trace" else []
    r = subprocess.run([str(mss_bin()), "run", str(ROOT / "scenarios/baseline.toml"), *SHORT,
                        *extra, flag, "-q"], cwd=tmp_path, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2, r.stderr
    assert "expected a file name, found the option -q" in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_header_counts_the_threads_started(tmp_path):
    out = tmp_path / "o.h5"
    r = mss("run", "scenarios/baseline.toml", "-r", 1, "-j", 8, "-o", out, "--quiet", *SHORT)
    assert ": 1 run, seed 20240601, 1 thread, 90 days" in r.stdout


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("command", ["run", "summary"])
def test_a_table_that_cannot_be_printed_is_a_failure(tmp_path, command):
    out = tmp_path / "o.h5"
    args = (["run", "scenarios/baseline.toml", "-r", 2, "-o", out, "--quiet", *SHORT]
            if command == "run" else ["summary", run_file(tmp_path, "s.h5", "-r", 2)])
    with open("/dev/full", "w") as full:
        r = subprocess.run([str(mss_bin()), *map(str, args)], cwd=ROOT, stdout=full,
                           stderr=subprocess.PIPE, text=True, timeout=60)
    assert r.returncode == 1, r.stderr
    assert f"mss {command}: cannot write to standard output" in r.stderr


def test_trace_fields_with_commas_are_quoted(tmp_path):
    trace = tmp_path / "t.csv"
    mss("run", "scenarios/baseline.toml", *SHORT, "--set", 'contingent.Kenya.name="Ken,ya"',
        "--only", 0, "--trace", trace, "--quiet")
    with open(trace, newline="") as fh:
        rows = list(csv.reader(fh))
    assert all(len(row) == 6 for row in rows)
    assert any(row[3] == "Ken,ya" for row in rows[1:])


def test_missing_scenario_exits_2(tmp_path):
    r = mss("run", "scenarios/no-such-file.toml", "-o", tmp_path / "o.h5", check=False)
    assert r.returncode == 2
    assert "no-such-file.toml" in r.stderr
    assert list(tmp_path.iterdir()) == []


def test_unwritable_output_directory_exits_2(tmp_path):
    r = mss("run", "scenarios/baseline.toml", "-o", tmp_path / "missing-dir" / "o.h5",
            check=False)
    assert r.returncode == 2
    assert "missing-dir" in r.stderr
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):  # root ignores permissions: use a file as parent
            blocker = tmp_path / "file"
            blocker.write_text("x")
            target = blocker / "o.h5"
        else:
            target = locked / "o.h5"
        r = mss("run", "scenarios/baseline.toml", "-o", target, check=False)
        assert r.returncode == 2, r.stderr
    finally:
        locked.chmod(0o700)


def test_summary_of_a_non_results_file_exits_2(tmp_path):
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"not hdf5 at all")
    r = mss("summary", junk, check=False)
    assert r.returncode == 2
    assert "junk.h5" in r.stderr
