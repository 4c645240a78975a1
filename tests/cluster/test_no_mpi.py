"""An `mss` built without MPI, started by a real launcher (`mpirun -n 2`), refuses to run K
full copies of the work: a process exits 2 naming the launcher (mpirun then stops the others),
and nothing is written.
Run by the asan preset, whose mss is built with MSS_WITH_MPI=OFF (docs/sweeps.md)."""
import os
import subprocess

import pytest

from conftest import ROOT, mpi_env, mss, mss_bin, sweep

LAUNCHER = os.environ.get("MSS_SYSTEM_MPIEXEC") or None

pytestmark = pytest.mark.skipif(os.environ.get("MSS_MPI", "1") == "1",
                                reason="this mss has MPI: the refusal is for builds without it")


def launch(n, *args):
    if LAUNCHER is None:
        pytest.skip("no mpirun on this machine")
    cmd = [LAUNCHER, "-n", str(n), "--oversubscribe", str(mss_bin()), *map(str, args)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=mpi_env(),
                          timeout=300)


def refused(r, message):
    """mpirun ends the job when the first process exits non-zero, so the other may be stopped
    before it prints: at least one says why, and mpirun reports exit code 2."""
    assert r.returncode != 0, r.stdout
    assert 1 <= r.stderr.count(message) <= 2, r.stderr
    assert "Exit code:    2" in r.stderr, r.stderr


def test_sweep_under_mpirun_is_refused(tmp_path):
    out = tmp_path / "x.h5"
    r = launch(2, "sweep", "tests/cluster/small_sweep.toml", "-o", out, "--quiet")
    refused(r, "this mss was built without MPI")
    assert "started by an MPI launcher as one of 2 processes" in r.stderr, r.stderr
    assert not out.exists() and not out.with_name("x.h5.journal").exists()
    assert list(tmp_path.iterdir()) == []


def test_run_under_mpirun_is_refused(tmp_path):
    out = tmp_path / "x.h5"
    r = launch(2, "run", "scenarios/calm.toml", "-r", 2, "-o", out, "--quiet")
    refused(r, "does not share its runs between processes")
    assert list(tmp_path.iterdir()) == []


def test_one_process_under_mpirun_runs(tmp_path):
    """`mpirun -n 1` is one copy of the work: nothing to refuse."""
    out = tmp_path / "x.h5"
    r = launch(1, "sweep", "tests/cluster/small_sweep.toml", "-o", out, "--quiet",
               "--set", "sweep.replications=1")
    assert r.returncode == 0, r.stderr
    assert out.exists()


def test_launcher_variables_without_a_launcher_are_refused(tmp_path):
    """The same check from the variables an Open MPI launcher sets, without starting one."""
    env = dict(os.environ, OMPI_COMM_WORLD_SIZE="2", OMPI_COMM_WORLD_RANK="0")
    r = sweep(tmp_path / "x.h5", check=False, env=env)
    assert r.returncode == 2 and "built without MPI" in r.stderr
    r = mss("run", "scenarios/calm.toml", "-r", "2", "-o", tmp_path / "y.h5", "--quiet",
            check=False, env=env)
    assert r.returncode == 2 and "does not share its runs between processes" in r.stderr
