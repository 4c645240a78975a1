"""`mss run` end to end: determinism (DESIGN §2), reruns with a trace, interrupts, bad input."""
import csv
import os
import re
import signal
import subprocess
import time
import tomllib

import h5py
import numpy as np
import pytest

from conftest import SHORT, assert_identical, mss, mss_bin, ROOT
from fslimit import file_size_limit


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
    assert_identical(a, b, rows=10, scenario_attrs=False)
    # The resolved scenarios differ only in `replications`, which -r overrides.
    with h5py.File(a) as fa, h5py.File(b) as fb:
        sa = tomllib.loads(fa["scenario"].attrs["toml"])
        sb = tomllib.loads(fb["scenario"].attrs["toml"])
    assert (sa["scenario"].pop("replications"), sb["scenario"].pop("replications")) == (10, 40)
    assert sa == sb


def test_seed_and_replications_options_are_overrides_in_the_stored_scenario(tmp_path):
    """--seed S and -r R resolve as --set scenario.seed=S --set scenario.replications=R: the
    stored /scenario `toml` (DESIGN §5: overrides applied) holds them, and running that text
    alone gives the same file again."""
    a = run_file(tmp_path, "options.h5", "--seed", 42, "-r", 3)
    b = run_file(tmp_path, "sets.h5", "--set", "scenario.seed=42", "--set",
                 "scenario.replications=3")
    assert_identical(a, b)
    with h5py.File(a) as f:
        text = f["scenario"].attrs["toml"]
        assert list(f["seed"]) == [42, 42, 42]
    resolved = tomllib.loads(text)
    assert (resolved["scenario"]["seed"], resolved["scenario"]["replications"]) == (42, 3)
    stored = tmp_path / "stored.toml"
    stored.write_text(text)
    again = tmp_path / "again.h5"
    mss("run", stored, "-o", again, "--quiet")
    assert_identical(a, again)
    # The options still win over a --set of the same key.
    c = run_file(tmp_path, "both.h5", "--set", "scenario.seed=7", "--seed", 42, "-r", 3)
    assert_identical(a, c)


def test_another_seed_gives_other_results(tmp_path):
    a = run_file(tmp_path, "s1.h5", "-r", 3, "--seed", 1)
    b = run_file(tmp_path, "s2.h5", "-r", 3, "--seed", 2)
    with h5py.File(a) as fa, h5py.File(b) as fb:
        assert not np.array_equal(fa["tables/events"][:], fb["tables/events"][:])


def test_only_with_trace_reproduces_one_run_exactly(tmp_path):
    full = run_file(tmp_path, "full.h5", "-r", 5)
    trace = tmp_path / "trace.csv"
    only = tmp_path / "only.h5"
    mss("run", "scenarios/baseline.toml", "--only", 3, "--trace", trace, "-o", only, "--quiet",
        *SHORT)
    with h5py.File(full) as f, h5py.File(only) as g:
        ev = f["tables/events"][:]
        ev = ev[ev["run"] == 3]
        for name in f:
            v = f[name]
            if name == "wall_s" or not isinstance(v, h5py.Dataset) or v.ndim == 0 \
                    or not any(d.name == "/run" for d in v.dims[0].values()):
                continue
            assert np.array_equal(v[3], g[name][0], equal_nan=v.dtype.kind == "f"), name
        for s in ("strength", "on_duty", "filled", "airport_open", "airport_closed", "regime"):
            assert np.array_equal(f["series"][s][3], g["series"][s][0], equal_nan=True)
    with open(trace, newline="") as fh:
        rows = list(csv.DictReader(fh))
    kinds = list(h5py.File(full)["tables/events"].attrs["kind_labels"])
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


# 12 kB: the disk fills while the file's fixed parts are written; 150 kB: at a run's events.
@pytest.mark.parametrize("limit", [12_000, 150_000])
def test_a_full_disk_is_exit_1_naming_the_file_and_leaves_nothing(tmp_path, limit):
    out = tmp_path / "x.h5"
    r = mss("run", "scenarios/baseline.toml", "-r", 20, "-o", out, "--quiet", check=False,
            preexec_fn=file_size_limit(limit))
    assert r.returncode == 1, r.stderr      # HDF5 1.10 used to crash here (exit -11)
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith(f"mss run: cannot write results file {out}.tmp-"), r.stderr
    assert "(File too large)" in last, r.stderr
    assert list(tmp_path.iterdir()) == []  # no file, no temporary


def test_a_full_disk_during_a_trace_is_exit_1_and_leaves_nothing(tmp_path):
    trace = tmp_path / "t.csv"
    r = mss("run", "scenarios/baseline.toml", "--only", 0, "--trace", trace, "--quiet",
            check=False, preexec_fn=file_size_limit(4096))
    assert r.returncode == 1, r.stderr
    assert "File too large" in r.stderr, r.stderr
    assert list(tmp_path.iterdir()) == []


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


def test_a_file_error_about_seed_or_replications_names_the_option(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("scenario = 5\n")
    r = mss("run", bad, "--seed", 42, "-r", 2, "-o", tmp_path / "o.h5", check=False)
    assert r.returncode == 2
    assert "--seed 42: scenario.seed: scenario is an integer 5, not a table" in r.stderr
    assert "-r 2: scenario.replications: scenario is an integer 5" in r.stderr
    assert "--set" not in r.stderr


def test_a_sweep_keeps_its_seed_and_replications_in_the_stored_scenario(tmp_path):
    """Every run of a sweep takes the sweep's seed and replications: the resolved scenario it
    keeps is the base with those two, as `mss run BASE --seed S -r R` resolves it."""
    sweep, run = tmp_path / "sweep.h5", tmp_path / "run.h5"
    mss("sweep", "tests/cluster/small_sweep.toml", "--set", "sweep.seed=7", "--set",
        "sweep.replications=1", "-o", sweep, "--quiet")
    mss("run", "tests/cluster/small.toml", "--seed", 7, "-r", 1, "-o", run, "--quiet")
    with h5py.File(sweep) as fs, h5py.File(run) as fr:
        text = fs["scenario"].attrs["toml"]
        assert text == fr["scenario"].attrs["toml"]
    resolved = tomllib.loads(text)
    assert (resolved["scenario"]["seed"], resolved["scenario"]["replications"]) == (7, 1)


def printing_args(command, tmp_path):
    """(arguments, the words naming it in messages) of an mss invocation that prints to
    standard output."""
    if command == "run":
        return ["run", "scenarios/baseline.toml", "-r", 2, "-o", tmp_path / "o.h5", "--quiet",
                *SHORT], "mss run"
    if command == "summary":
        return ["summary", run_file(tmp_path, "s.h5", "-r", 2)], "mss summary"
    if command == "validate":
        return ["validate", "scenarios/baseline.toml", "--print"], "mss validate"
    if command == "sweep":
        return ["sweep", "tests/cluster/small_sweep.toml", "--set", "sweep.replications=1",
                "-o", tmp_path / "w.h5", "--quiet"], "mss sweep"
    return [command], "mss"  # --version, --help


PRINTING = ["run", "summary", "validate", "sweep", "--version", "--help"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("command", PRINTING)
def test_a_table_that_cannot_be_printed_is_a_failure(tmp_path, command):
    args, words = printing_args(command, tmp_path)
    with open("/dev/full", "w") as full:
        r = subprocess.run([str(mss_bin()), *map(str, args)], cwd=ROOT, stdout=full,
                           stderr=subprocess.PIPE, text=True, timeout=60)
    assert r.returncode == 1, r.stderr
    assert f"{words}: cannot write to standard output" in r.stderr


@pytest.mark.parametrize("command", PRINTING)
def test_a_closed_pipe_on_standard_output_ends_quietly_with_exit_0(tmp_path, command):
    """`mss summary F | head -1`: the reader is gone before mss writes. A shell leaves SIGPIPE
    at its default for mss (so does subprocess); mss neither dies of SIGPIPE (141, which fails
    a `pipefail` script) nor reports a failure: the reader has read what it wanted."""
    args, _ = printing_args(command, tmp_path)
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        r = subprocess.run([str(mss_bin()), *map(str, args)], cwd=ROOT, stdout=write_end,
                           stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert r.returncode == 0, (r.returncode, r.stderr)
    assert "cannot write to standard output" not in r.stderr
    if command == "sweep":
        # The results file was complete before anything was printed: it is kept, whole, and
        # the journal is gone.
        ref = tmp_path / "ref.h5"
        mss("sweep", "tests/cluster/small_sweep.toml", "--set", "sweep.replications=1", "-o", ref,
            "--quiet")
        assert_identical(tmp_path / "w.h5", ref)
        assert not (tmp_path / "w.h5.journal").exists()


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


def _format_number(x):
    """docs/statistics.md "One number format", written from the text."""
    if x != x:
        return "-"
    if x == float("inf"):
        return "never"
    if x == 0:
        return "0"
    sci = "%.3e" % x
    e = int(sci.split("e")[1])
    if e >= 3:
        return "{:,.0f}".format(x)
    if e < -4:
        return sci
    fixed = "%.*f" % (3 - e, x)
    return fixed.rstrip("0").rstrip(".") if "." in fixed else fixed


_ROW = re.compile(r"^(\S+)\s+(\S+)\s+(\d+)/(\d+)\s+(\S+)(?:\s+\*)?\s+(?:\[(\S+), (\S+)\]|-)"
                  r"\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)$")


def test_summary_table_prints_every_number_in_the_one_format(tmp_path):
    """A sd of 0.0027 must not read "0.00" (zero variance): every number of the table is the
    CSV's value in docs/statistics.md's one format (4 significant digits, commas from 1000)."""
    f = run_file(tmp_path, "small.h5", "-r", 2)
    table = mss("summary", f).stdout.splitlines()
    rows = {r["kpi"]: r for r in csv.DictReader(mss("summary", f, "--csv").stdout.splitlines())}
    small = checked = 0
    for line in table[1:]:
        m = _ROW.match(line)
        if not m or m.group(1) not in rows:
            continue  # first-day KPIs' lines, footers
        row = rows[m.group(1)]
        assert (m.group(3), m.group(4)) == (row["n"], row["runs"])
        cols = ("mean", "ci_low", "ci_high", "sd", "p10", "p50", "p90", "min", "max")
        for cell, col in zip(m.groups()[4:], cols):
            if row[col] == "":
                assert cell in ("-", None), (line, col)
                continue
            v = float(row[col])
            assert cell == _format_number(v), (line, col, v)
            if v != 0 and abs(v) < 1:
                small += 1
                assert float(cell) != 0, (line, col)
        checked += 1
    assert checked >= len(rows) - 2  # all but the first-day KPIs
    assert small > 0   # mean_strength_frac and its sd
