"""`mss optimize` end to end (DESIGN §11, docs/optimize.md) on tests/cluster/small_optimize.toml
(four alternatives, 240 days): the same file whatever the threads; SIGKILL or SIGTERM at any
stage, then --resume, gives the same file; runs in (stage, alternative, replication) order with
common random numbers; /optimize agrees with the runs (the decision replayed in Python from the
file's KPIs); the journal and output refusals of `mss sweep`; several MPI processes refused."""
import os
import signal
import subprocess

import h5py
import numpy as np
import pytest

from conftest import (ROOT, assert_identical, journal_header, journal_records, kill_and_reap,
                      mpi_env, mpiexec, mpirun, mss, mss_bin, wait_for)

PLAN = "tests/cluster/small_optimize.toml"


def optimize(out, *args, **kw):
    return mss("optimize", PLAN, "-o", out, "--quiet", *args, **kw)


def start(out, *args):
    cmd = [str(mss_bin()), "optimize", PLAN, "-o", str(out), "--quiet", *map(str, args)]
    return subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "opt.h5"
    r = optimize(out, "-j", 2)
    return out, r.stdout


def test_threads_do_not_change_the_file(reference, tmp_path):
    out = tmp_path / "one.h5"
    optimize(out, "-j", 1)
    assert_identical(reference[0], out)


def test_runs_are_in_stage_alternative_replication_order(reference):
    with h5py.File(reference[0], "r") as f:
        run, stage = f["run"][:], f["stage"][:]
        point, rep = f["point"][:], f["replication"][:]
        seed = f["seed"][:]
        g = f["optimize"]
        assert list(run) == list(range(len(run)))
        assert g.attrs["runs"] == len(run)
        assert stage[0] == 1 and np.all(np.diff(stage) >= 0)
        assert stage[-1] == g.attrs["stages"] > 1, "the plan takes several stages"
        for s in np.unique(stage):
            rows = stage == s
            keys = list(zip(point[rows], rep[rows]))
            assert keys == sorted(keys), "alternative, then replication, within a stage"
            alts = np.unique(point[rows])
            n = [np.sum(point[rows] == a) for a in alts]
            assert len(set(n)) == 1, "every survivor gets the same replications in a stage"
        # Stage 1: every alternative, replications 0 .. n0 - 1; later stages continue them.
        n0 = g.attrs["first_stage"]
        first = stage == 1
        assert sorted(set(point[first])) == list(range(len(g["alternative"])))
        assert set(rep[first]) == set(range(n0))
        for a in np.unique(point):
            assert list(rep[point == a]) == list(range(np.sum(point == a)))
        # Common random numbers: replication r has one seed, whatever the alternative.
        for r in np.unique(rep):
            assert len(set(seed[rep == r])) == 1


def replay(f):
    """The cumulative means the file's runs give, stage by stage, [stage][alt][output]."""
    g = f["optimize"]
    stage, point = f["stage"][:], f["point"][:]
    foc, cost = f["days_to_foc"][:], f["cost_usd"][:]
    event = np.where(np.isnan(foc), 0.0, (foc <= 220).astype(float))
    k = len(g["alternative"])
    out = []
    for s in range(1, g.attrs["stages"] + 1):
        means = np.full((k, 2), np.nan)
        upto = stage <= s
        for a in range(k):
            rows = upto & (point == a)
            if np.any(stage[point == a] == s):
                means[a] = [cost[rows].mean(), event[rows].mean()]
        out.append(means)
    return np.array(out)


def test_optimize_group_agrees_with_the_runs(reference):
    with h5py.File(reference[0], "r") as f:
        g = f["optimize"]
        np.testing.assert_allclose(g["stage_mean"][:], replay(f), rtol=1e-12, equal_nan=True)
        names = [n.decode() for n in g["output"][:]]
        assert names == ["cost_usd", "P(days_to_foc <= 220) >= 0.4"]
        fate = [x.decode() for x in g["fate"][:]]
        chosen = g.attrs["chosen"]
        status = g.attrs["status"]
        if status == "chosen":
            assert fate[chosen] == "chosen" and g.attrs["guarantee"] == 1
            assert g["feasible"][chosen] == 1
            assert all(x in ("worse", "infeasible") for i, x in enumerate(fate) if i != chosen)
        point = f["point"][:]
        reps = [int(np.sum(point == a)) for a in range(len(fate))]
        assert list(g["replications"][:]) == reps
        # The estimates are the means over each alternative's runs.
        cost = f["cost_usd"][:]
        for a in range(len(fate)):
            assert g["estimate"][a, 0] == pytest.approx(cost[point == a].mean(), rel=1e-12)
            assert g["ci_low"][a, 0] <= g["estimate"][a, 0] <= g["ci_high"][a, 0]
        assert g.attrs["rinott_runs"] > 0 and g.attrs["rinott_h"] > 0
        assert "KN" in g.attrs["procedure"]


def test_screen_names_the_choice_runner_up_and_rinott(reference):
    text = reference[1]
    assert "Chosen: alternative" in text or "No alternative meets" in text
    assert "Rinott's two-stage procedure would take" in text
    assert "alt  aircraft.B787-charter.count" in text


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_killed_then_resumed_is_identical(reference, tmp_path, sig):
    out = tmp_path / "k.h5"
    p = start(out, "-j", 2)
    assert wait_for(lambda: journal_records(f"{out}.journal") >= 30, p), "finished too soon"
    code, _, err = kill_and_reap(p, sig)
    assert not out.exists()
    if sig == signal.SIGTERM:
        assert code == 143, err
        assert "--resume" in err
    done = journal_records(f"{out}.journal")
    assert done >= 30
    h = journal_header(f"{out}.journal")
    assert h["count"] == 2000, "the journal's run count is the budget"
    r = optimize(out, "-j", 2, "--resume")
    assert f"{done} runs resumed from the journal" in r.stdout
    assert not os.path.exists(f"{out}.journal")
    assert_identical(reference[0], out)


def test_refusals(reference, tmp_path):
    out = tmp_path / "r.h5"
    p = start(out, "-j", 1)
    assert wait_for(lambda: journal_records(f"{out}.journal") >= 5, p), "finished too soon"
    kill_and_reap(p)
    r = optimize(out, check=False)
    assert r.returncode == 2 and "pass --resume" in r.stderr
    # Another plan's journal: a changed threshold changes the identity.
    r = mss("optimize", PLAN, "-o", out, "--quiet", "--resume", "--set",
            "constraint[0].at_most=221", check=False)
    assert r.returncode == 2 and "belongs to another plan" in r.stderr
    optimize(out, "--resume")
    r = optimize(out, check=False)
    assert r.returncode == 2 and "exists; pass --force" in r.stderr
    r = optimize(out, "--resume")
    assert "already holds this optimisation" in r.stdout
    assert "Chosen: alternative" in r.stdout or "No alternative meets" in r.stdout
    r = mss("optimize", PLAN, "-o", PLAN, check=False)
    assert r.returncode == 2 and "is the plan file" in r.stderr


def test_processes_that_cannot_share_the_work_are_refused(tmp_path):
    # Two Slurm tasks without MPI, and a launcher whose MPI sees a world of one.
    for env, words in [(dict(SLURM_STEP_NUM_TASKS="2", SLURM_PROCID="0"), "cannot share the work"),
                       (dict(OMPI_COMM_WORLD_SIZE="2", OMPI_COMM_WORLD_RANK="0"),
                        "cannot share the work" if not mpiexec() else "MPI sees a world of 1")]:
        r = mss("optimize", PLAN, "-o", tmp_path / "m.h5", check=False,
                env=dict(os.environ, **env))
        assert r.returncode == 2 and words in r.stderr, r.stderr
        assert not (tmp_path / "m.h5").exists()


@pytest.mark.skipif(not mpiexec(), reason="this mss is built without MPI")
@pytest.mark.parametrize("ranks", [2, 3])
def test_mpi_ranks_give_the_same_file(reference, tmp_path, ranks):
    out = tmp_path / f"mpi{ranks}.h5"
    r = mpirun(ranks, "optimize", PLAN, "-o", out, "-j", 1)
    assert f"x {ranks} MPI ranks" in r.stdout
    assert r.stdout.count("Chosen: alternative") == 1, "rank 0 alone reports"
    assert_identical(reference[0], out)


# A longer optimisation (25 stages, ~2,000 runs) for the MPI kill: under MPI rank 0 journals a
# stage's runs when the stage ends, so the kill must land between two stage ends.
LONGER = ["--set", "constraint[0].probability=0.55", "--set", "optimize.budget=6000"]


@pytest.mark.skipif(not mpiexec(), reason="this mss is built without MPI")
def test_mpi_sigterm_then_resume_is_identical(tmp_path):
    ref = tmp_path / "ref.h5"
    optimize(ref, "-j", 2, *LONGER)
    out = tmp_path / "mk.h5"
    cmd = [mpiexec(), "-n", "2", "--oversubscribe", str(mss_bin()), "optimize", PLAN, "-o",
           str(out), "--quiet", "-j", "1", *LONGER]
    for attempt in range(5):
        p = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=mpi_env())
        assert wait_for(lambda: journal_records(f"{out}.journal") >= 200, p), "finished too soon"
        code, _, err = kill_and_reap(p, signal.SIGTERM)
        if not out.exists():
            break
        out.unlink()   # the last stage ended before the signal landed: try again
    assert code != 0 and not out.exists(), err
    assert journal_records(f"{out}.journal") >= 200
    r = mpirun(2, "optimize", PLAN, "-o", out, "-j", 1, "--resume", *LONGER)
    assert "runs resumed from the journal" in r.stdout
    assert not os.path.exists(f"{out}.journal")
    assert_identical(ref, out)


def test_shards_one_stage_per_job_give_the_same_file(reference, tmp_path):
    """--shard I/N simulates slice I of the next stage, mss merge joins the stage, --resume takes
    it in and decides; stage after stage until the procedure has decided and --resume writes
    the file: identical to one process."""
    out = tmp_path / "s.h5"
    for stage in range(1, 100):
        words = []
        for i, n in [(0, 3), (1, 3), (2, 3)]:
            words.append(optimize(out, "--shard", f"{i}/{n}", "-j", 1).stdout)
        if "the procedure has decided" in words[0]:
            assert all("the procedure has decided" in w for w in words)
            break
        assert f"stage {stage} (runs " in words[0], words[0]
        shards = sorted(tmp_path.glob(f"s.stage-{stage}.shard-*-of-3.h5"))
        assert len(shards) == 3
        with h5py.File(shards[1], "r") as f:
            assert f.attrs["optimize_stage"] == str(stage) and f.attrs["shard"] == "1/3"
            assert set(f["stage"][:]) == {stage}
        merged = tmp_path / f"s.stage-{stage}.h5"
        mss("merge", merged, *shards[::-1])   # any order
        r = optimize(out, "--resume")
        assert f"took in stage {stage}" in r.stdout or "Chosen: alternative" in r.stdout
        if out.exists():
            break
    else:
        pytest.fail("no decision in 99 stages")
    if not out.exists():
        optimize(out, "--resume")
    assert not os.path.exists(f"{out}.journal")
    assert_identical(reference[0], out)


def test_merge_refuses_an_incomplete_or_mixed_stage(tmp_path):
    out = tmp_path / "m.h5"
    optimize(out, "--shard", "0/2")
    optimize(out, "--shard", "1/2")
    r = mss("merge", tmp_path / "m.stage-1.h5", tmp_path / "m.stage-1.shard-0-of-2.h5",
            check=False)
    assert r.returncode == 2 and "stage 1 of optimisation" in r.stderr
    assert "are in none of the files" in r.stderr
    sweep = tmp_path / "sweep.shard.h5"
    mss("sweep", "tests/cluster/small_sweep.toml", "--shard", "0/2", "-o", sweep, "--quiet")
    r = mss("merge", tmp_path / "x.h5", tmp_path / "m.stage-1.shard-0-of-2.h5", sweep,
            check=False)
    assert r.returncode == 2
