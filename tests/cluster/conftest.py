"""Helpers for the sweep tests (`mss sweep`, `--shard`, `mss merge`, MPI, journal and resume).

They drive the built `mss` ($MSS_BIN, default build/release/sim/app/mss) from the repository
root on tests/cluster/small_sweep.toml (2 x 2 grid, 240 days). "Identical" is DESIGN §2:
every dataset equal value for value, NaN == NaN, except /runs wall_s and the root attributes
created_utc and command_line (tests/h5identity.py, shared with tests/results, plus the root
attributes that only shard files carry)."""
import os
import pathlib
import shutil
import signal
import struct
import subprocess
import sys
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from h5identity import assert_identical, datasets  # noqa: E402,F401  (shared with tests/results)

HERE = pathlib.Path(__file__).resolve().parent
SWEEP = "tests/cluster/small_sweep.toml"

SHARD_ATTRS = {"shard", "shard_runs", "sweep_runs"}


def mss_bin() -> pathlib.Path:
    p = pathlib.Path(os.environ.get("MSS_BIN", ROOT / "build/release/sim/app/mss"))
    if not p.is_file():
        pytest.fail(f"mss binary not found at {p}: build it first (make build) or set MSS_BIN")
    return p


def mpiexec():
    """The MPI launcher when this mss was built with MPI ($MSS_MPI=1), else None."""
    if os.environ.get("MSS_MPI", "1") != "1":
        return None
    return os.environ.get("MSS_MPIEXEC") or shutil.which("mpirun")


def mpi_env():
    env = dict(os.environ)
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
               OMPI_MCA_rmaps_base_oversubscribe="1")
    return env


def mss(*args, check=True, env=None, **kw):
    """Runs `mss ARGS` from the repository root; returns the CompletedProcess."""
    kw.setdefault("timeout", 300)   # a hang fails the test instead of the whole ctest run
    r = subprocess.run([str(mss_bin()), *map(str, args)], cwd=ROOT, capture_output=True,
                       text=True, env=env, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"mss {' '.join(map(str, args))} exited {r.returncode}\n"
                             f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}")
    return r


def mpirun(n, *args, check=True, extra_env=None, **kw):
    """Runs `mpirun -n N --oversubscribe mss ARGS` (as root: the OMPI_ALLOW_* variables), with
    `extra_env` added to the environment."""
    launcher = mpiexec()
    cmd = [launcher, "-n", str(n), "--oversubscribe", str(mss_bin()), *map(str, args)]
    kw.setdefault("timeout", 300)
    env = mpi_env()
    env.update(extra_env or {})
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, **kw)
    if check and r.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} exited {r.returncode}\n"
                             f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}")
    return r


def sweep(out, *args, **kw):
    """`mss sweep small_sweep.toml -o OUT --quiet ARGS`."""
    return mss("sweep", SWEEP, "-o", out, "--quiet", *args, **kw)


# --- the journal (docs/sweeps.md "Journal format") ---

HEADER = struct.Struct("<8sII16sqqqqqQ")   # 80 bytes
FRAME = struct.Struct("<IIqQQ")            # 32 bytes


def journal_header(path):
    with open(path, "rb") as f:
        raw = f.read(HEADER.size)
    if len(raw) < HEADER.size:
        return None
    magic, size, version, ident, total, si, sc, first, count, _ = HEADER.unpack(raw)
    assert magic == b"MSSJNL01" and size == 80 and version == 5
    return dict(identity=ident.decode(), total=total, shard=(si, sc), first=first, count=count)


def journal_records(path):
    """Complete-looking frames in the journal: frame headers and lengths only (it seeks over
    the payloads, so polling it is cheap)."""
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        return 0
    with f:
        size = os.fstat(f.fileno()).st_size
        pos, n = HEADER.size, 0
        while pos + FRAME.size <= size:
            f.seek(pos)
            raw = f.read(FRAME.size)
            if len(raw) < FRAME.size:
                break
            magic, _, _, length, _ = FRAME.unpack(raw)
            if magic != 0x5253534D or pos + FRAME.size + length > size:
                break
            pos += FRAME.size + length
            n += 1
    return n


def start_sweep(out, *args, launcher=None):
    """Starts `mss sweep` (or `mpirun -n 2 mss sweep`) in the background; returns the Popen."""
    cmd = [str(mss_bin()), "sweep", SWEEP, "-o", str(out), "--quiet", *map(str, args)]
    env = None
    if launcher:
        cmd = [launcher, "-n", "2", "--oversubscribe", *cmd]
        env = mpi_env()
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)


def wait_for(predicate, proc, timeout=60.0, step=0.002):
    """Polls until predicate() is true (True) or the process ended first (False)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        if proc.poll() is not None:
            return predicate()
        time.sleep(step)
    raise AssertionError("timed out waiting for the sweep")


def kill_and_reap(proc, sig=signal.SIGKILL):
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    return proc.returncode, out, err
