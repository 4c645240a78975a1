"""A run in progress answers SIGINT, SIGTERM and SIGHUP (DESIGN §6, issue 24 items 3 and 6):
`mss run`, a trace and `mss sweep` on a scenario that takes hours per run stop at once, exit
130, 143 or 129, leave no partial output (a sweep keeps its journal for --resume). The tests
assert the exit code and that the process ended within a generous bound, never a wall time.
A file size limit (SIGXFSZ, `ulimit -f`) is a write error: exit 1, no temporary left. The
temporaries of run and trace name their host. Started from the source root with $MSS_BIN."""
import os
import pathlib
import re
import resource
import signal
import socket
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MSS = os.environ.get("MSS_BIN", str(ROOT / "build/release/sim/app/mss"))
HEAVY = ROOT / "tests/app/heavy_run.toml"
HEAVY_SWEEP = ROOT / "tests/app/heavy_sweep.toml"
# A process that has not ended this long after the signal ignored it (a run takes hours).
ENDED_WITHIN_S = 30


def start(tmp_path, *args):
    p = subprocess.Popen([MSS, *map(str, args)], cwd=tmp_path, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(1.5)  # well inside the first run
    assert p.poll() is None, p.communicate()
    return p


def stop(p, sig):
    p.send_signal(sig)
    try:
        out, err = p.communicate(timeout=ENDED_WITHIN_S)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        pytest.fail(f"mss still running {ENDED_WITHIN_S} s after {sig.name}")
    return p.returncode, out, err


SIGNALS = [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)]


@pytest.mark.parametrize("sig,code", SIGNALS, ids=lambda v: getattr(v, "name", str(v)))
def test_run_stops(tmp_path, sig, code):
    p = start(tmp_path, "run", HEAVY, "-r", 2, "-j", 2, "-q", "-o", "out.h5")
    rc, _, err = stop(p, sig)
    assert rc == code, err
    assert "interrupted" in err
    assert sorted(os.listdir(tmp_path)) == [], "a stopped run leaves nothing"


@pytest.mark.parametrize("sig,code", SIGNALS, ids=lambda v: getattr(v, "name", str(v)))
def test_trace_stops(tmp_path, sig, code):
    p = start(tmp_path, "run", HEAVY, "--only", 0, "--trace", "t.csv", "-q")
    rc, _, err = stop(p, sig)
    assert rc == code, err
    assert sorted(os.listdir(tmp_path)) == []


@pytest.mark.parametrize("sig,code", SIGNALS, ids=lambda v: getattr(v, "name", str(v)))
def test_sweep_stops_and_keeps_its_journal(tmp_path, sig, code):
    p = start(tmp_path, "sweep", HEAVY_SWEEP, "-j", 2, "-q", "-o", "out.h5")
    rc, _, err = stop(p, sig)
    assert rc == code, err
    assert "--resume" in err
    assert sorted(os.listdir(tmp_path)) == ["out.h5.journal"]


def test_temporaries_name_their_host(tmp_path):
    p = start(tmp_path, "run", HEAVY, "-r", 1, "-q", "-o", "out.h5")
    names = os.listdir(tmp_path)
    stop(p, signal.SIGTERM)
    host = re.escape(socket.gethostname())
    assert len(names) == 1 and re.fullmatch(rf"out\.h5\.tmp-{host}-[0-9]+-[0-9a-f]{{8}}",
                                            names[0]), names


SMALL = ROOT / "tests/cluster/small.toml"
SMALL_SWEEP = ROOT / "tests/cluster/small_sweep.toml"


def limited(nbytes):
    """RLIMIT_FSIZE with SIGXFSZ left at its default (it would kill the process)."""
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return limit


def mss(tmp_path, *args, limit=None):
    return subprocess.run([MSS, *map(str, args)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=300, preexec_fn=limited(limit) if limit else None)


@pytest.mark.parametrize("command", ["run", "trace", "sweep", "merge"])
def test_a_file_size_limit_is_a_write_error(tmp_path, command):
    if command == "merge":
        for i in (0, 1):
            r = mss(tmp_path, "sweep", SMALL_SWEEP, "-q", "--shard", f"{i}/2", "-o", f"s{i}.h5",
                    "--set", "sweep.replications=2")
            assert r.returncode == 0, r.stderr
    before = set(os.listdir(tmp_path))
    args = {"run": ["run", SMALL, "-r", 8, "-q", "-o", "out.h5"],
            "trace": ["run", SMALL, "--only", 0, "--trace", "t.csv", "-q"],
            "sweep": ["sweep", SMALL_SWEEP, "-q", "-o", "out.h5"],
            "merge": ["merge", "out.h5", "s0.h5", "s1.h5"]}[command]
    r = mss(tmp_path, *args, limit=2_000 if command == "trace" else 20_000)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "File too large" in r.stderr, r.stderr
    left = set(os.listdir(tmp_path)) - before - {"out.h5.journal"}
    assert left == set(), left
