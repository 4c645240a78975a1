"""`mss merge` refuses what does not make one sweep (exit 2, naming files and run ranges) and
damaged or inconsistent files (exit 2, naming the file and the dataset; `mss summary` too),
`--shard` and the launcher checks refuse bad requests, and a signal or a full disk stops a merge
cleanly."""
import shutil
import signal
import subprocess

import h5py
import pytest

from conftest import ROOT, SWEEP, kill_and_reap, mss, mss_bin, sweep, wait_for
from fslimit import file_size_limit


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    d = tmp_path_factory.mktemp("shards")
    paths = []
    for i in range(3):
        p = d / f"s{i}.h5"
        sweep(p, "-j", 1, "--shard", f"{i}/3")
        paths.append(p)
    return paths


def refused(out, *files):
    r = mss("merge", out, *files, check=False)
    assert r.returncode == 2, r.stderr
    assert not out.exists() and not list(out.parent.glob(out.name + ".tmp-*"))
    return r.stderr


def test_shards_of_different_sweeps_are_refused(shards, tmp_path):
    other = tmp_path / "other.h5"
    sweep(other, "-j", 1, "--shard", "2/3", "--set", "sweep.seed=12")
    err = refused(tmp_path / "m.h5", shards[0], shards[1], other)
    assert "different sweeps" in err
    assert str(other) in err and str(shards[0]) in err


def test_a_missing_shard_is_refused(shards, tmp_path):
    err = refused(tmp_path / "m.h5", shards[0], shards[2])
    assert "runs 5-9 of 0-15 are in none of the files" in err


def test_a_duplicated_shard_is_refused(shards, tmp_path):
    err = refused(tmp_path / "m.h5", shards[0], shards[1], shards[1], shards[2])
    assert "given twice" in err
    copy = tmp_path / "copy.h5"
    shutil.copy(shards[1], copy)
    err = refused(tmp_path / "m.h5", shards[0], shards[1], copy, shards[2])
    assert "runs 5-9 are in both" in err and str(copy) in err


def test_overlapping_shardings_are_refused(shards, tmp_path):
    half = tmp_path / "half.h5"
    sweep(half, "-j", 1, "--shard", "1/2")   # runs 8-15
    err = refused(tmp_path / "m.h5", shards[0], shards[1], half)
    assert "runs 8-9 are in both" in err


def test_a_plain_run_is_not_a_shard(shards, tmp_path):
    plain = tmp_path / "plain.h5"
    mss("run", "tests/cluster/small.toml", "-r", 2, "-o", plain, "--quiet")
    err = refused(tmp_path / "m.h5", shards[0], plain)
    assert "not a sweep result" in err
    err = refused(tmp_path / "m.h5", shards[0], tmp_path / "nope.h5")
    assert "no such file" in err


def test_merge_does_not_overwrite_without_force(shards, tmp_path):
    out = tmp_path / "m.h5"
    mss("merge", out, *shards)
    r = mss("merge", out, *shards, check=False)
    assert r.returncode == 2 and "--force" in r.stderr
    mss("merge", out, *shards, "--force")
    r = mss("merge", shards[0], shards[0], shards[1], check=False)
    assert r.returncode == 2


def test_merge_keeps_the_shards_and_says_so_unless_told_to_remove_them(shards, tmp_path):
    copies = [tmp_path / p.name for p in shards]
    for p, c in zip(shards, copies):
        shutil.copyfile(p, c)
    r = mss("merge", tmp_path / "kept.h5", *copies)
    assert "the shard files are kept; delete them with --remove-shards" in r.stdout
    assert all(c.exists() for c in copies)
    r = mss("merge", tmp_path / "m.h5", *copies, "--remove-shards")
    assert "removed 3 shard files" in r.stdout
    assert not any(c.exists() for c in copies)
    assert (tmp_path / "m.h5").exists()


def test_refused_shards_are_never_removed(shards, tmp_path):
    copies = [tmp_path / p.name for p in shards[:2]]
    for p, c in zip(shards, copies):
        shutil.copyfile(p, c)
    r = mss("merge", tmp_path / "m.h5", *copies, "--remove-shards", check=False)
    assert r.returncode == 2, r.stderr
    assert all(c.exists() for c in copies)


# --- damaged or inconsistent files: exit 2 naming the file and the dataset, never a crash ---

def damaged(src, dst, edit):
    """A copy of results file `src` at `dst`, changed by edit(h5py.File)."""
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as f:
        edit(f)
    return dst


def replace(f, name, data):
    """Dataset `name` replaced by `data` (a shorter or edited copy)."""
    del f[name]
    f.create_dataset(name, data=data)


@pytest.mark.parametrize("name,edit", [
    ("tables/events", lambda f: f.__delitem__("tables/events")),
    ("contingent_pax_in",
     lambda f: replace(f, "contingent_pax_in", f["contingent_pax_in"][:1])),
    ("series/strength", lambda f: replace(f, "series/strength", f["series/strength"][:1])),
])
def test_a_damaged_shard_is_refused(shards, tmp_path, name, edit):
    bad = damaged(shards[1], tmp_path / "bad.h5", edit)
    err = refused(tmp_path / "m.h5", shards[0], bad, shards[2])
    assert f"{bad} is damaged: " in err and f"/{name}" in err, err


def set_point(f, value):
    f["point"][0] = value


@pytest.mark.parametrize("edit,words", [
    (lambda f: set_point(f, 99), "has point 99, but /design_point has points 0-3"),
    (lambda f: set_point(f, -1), "has point -1, but /design_point has points 0-3"),
    (lambda f: replace(f, "design_point", f["design_point"][:0]), "/design_point is empty"),
])
def test_point_ids_not_in_points_are_refused(shards, tmp_path, edit, words):
    """Every run's point must be a /design_point: `mss summary` printed its values (it aborted
    on std::out_of_range) and `mss merge` copied the bad id into the merged file."""
    bad = damaged(shards[0], tmp_path / "bad.h5", edit)
    err = refused(tmp_path / "m.h5", bad, shards[1], shards[2])
    assert f"{bad} is damaged: " in err and words in err
    r = mss("summary", bad, check=False)
    assert r.returncode == 2, r.stderr
    assert str(bad) in r.stderr and words in r.stderr and r.stdout == ""


def no_runs(f):
    """Every variable over `run` emptied (the shapes still agree)."""
    n = f["run"].shape[0]
    factors = {x.decode() if isinstance(x, bytes) else str(x)
               for x in f["design_point"].attrs.get("factors", [])}
    names = []
    f.visititems(lambda k, o: names.append(k) if isinstance(o, h5py.Dataset) and o.ndim >= 1
                 and o.shape[0] == n and o.dtype.names is None and k not in factors
                 and k not in ("design_point", "series/nv") else None)
    for k in names:
        replace(f, k, f[k][:0])


def test_summary_of_a_file_without_runs_exits_2(shards, tmp_path):
    empty = damaged(shards[0], tmp_path / "empty.h5", no_runs)
    r = mss("summary", empty, check=False)
    assert r.returncode == 2, r.stderr
    assert f"{empty} holds no runs (its run dimension is empty)" in r.stderr


def test_a_file_whose_run_is_emptied_alone_is_damaged(shards, tmp_path):
    bad = damaged(shards[0], tmp_path / "bad.h5", lambda f: replace(f, "run", f["run"][:0]))
    r = mss("summary", bad, check=False)
    assert r.returncode == 2, r.stderr
    assert f"{bad} is damaged: /point is [" in r.stderr and "expected [run 0]" in r.stderr


def test_a_file_of_another_format_says_which(shards, tmp_path):
    other = damaged(shards[0], tmp_path / "other.h5",
                    lambda f: f.attrs.modify("format", "mss-sim/1"))
    r = mss("summary", other, check=False)
    assert r.returncode == 2, r.stderr
    assert f"{other} is format mss-sim/1; this mss reads mss-sim/2" in r.stderr


@pytest.mark.parametrize("shard,words", [
    ("3/3", "0 <= I < N"), ("a/3", "expected I/N"), ("1", "expected I/N"),
    ("0/17", "at most 16 shards"),
])
def test_bad_shards_are_refused(tmp_path, shard, words):
    r = sweep(tmp_path / "x.h5", "--shard", shard, check=False)
    assert r.returncode == 2 and words in r.stderr
    assert not (tmp_path / "x.h5.journal").exists()


def test_default_output_names_of_shards(tmp_path):
    # Without -o: runs/<sweep name>.shard-I-of-N.h5 under the working directory.
    import subprocess
    from conftest import ROOT, mss_bin
    r = subprocess.run([str(mss_bin()), "sweep", str(ROOT / SWEEP), "--shard", "1/8", "--quiet"],
                       cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "runs/small-sweep.shard-1-of-8.h5").exists()


def test_slurm_tasks_without_mpi_are_refused(tmp_path):
    """`srun -n 2 mss sweep` without --mpi would run the sweep twice into one file."""
    import os
    env = dict(os.environ, SLURM_STEP_NUM_TASKS="2", SLURM_PROCID="0")
    r = sweep(tmp_path / "x.h5", check=False, env=env)
    assert r.returncode == 2 and "Slurm tasks without MPI" in r.stderr
    # ... unless each task runs its own shard.
    r = sweep(tmp_path / "y.h5", "--shard", "0/2", env=env)


@pytest.mark.parametrize("launch", [{"OMPI_COMM_WORLD_SIZE": "2", "OMPI_COMM_WORLD_RANK": "0"},
                                    {"SLURM_STEP_NUM_TASKS": "3", "SLURM_PROCID": "0"}])
def test_mss_run_refuses_several_processes(tmp_path, launch):
    """`mpirun -n K mss run` (or `srun -n K`) would run every replication K times."""
    import os
    env = dict(os.environ, **launch)
    out = tmp_path / "x.h5"
    r = mss("run", "scenarios/calm.toml", "-r", "2", "-o", out, "--quiet", check=False, env=env)
    assert r.returncode == 2, r.stderr
    assert "does not share its runs between processes" in r.stderr and "mss sweep" in r.stderr
    assert not out.exists()


# 12 kB: the disk fills while the file's fixed parts are written; 100 kB: at the runs.
@pytest.mark.parametrize("limit", [12_000, 100_000])
def test_a_full_disk_stops_merge_with_exit_1_and_leaves_nothing(shards, tmp_path, limit):
    out = tmp_path / "m.h5"
    r = mss("merge", out, *shards, check=False, preexec_fn=file_size_limit(limit))
    assert r.returncode == 1, r.stderr      # HDF5 1.10 used to crash here (exit -11)
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith(f"mss merge: cannot write results file {out}.tmp-"), last
    assert last.endswith("(File too large)") or "(File too large)" in last, last
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_merge_and_leaves_nothing(tmp_path, sig, code):
    """SIGTERM or SIGINT while merging: exit 143 or 130, no output and no temporary left."""
    reps = ["--set", "sweep.replications=300"]  # 1200 runs: merging them takes about a second
    parts = [tmp_path / f"s{i}.h5" for i in range(2)]
    for i, p in enumerate(parts):
        sweep(p, "-j", 2, "--shard", f"{i}/2", *reps)
    out = tmp_path / "out.h5"
    def temporaries():
        return list(tmp_path.glob("out.h5.tmp-*"))
    proc = subprocess.Popen([str(mss_bin()), "merge", str(out), *map(str, parts)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert wait_for(lambda: bool(temporaries()), proc), "merge ended before writing began"
    code_seen, _, err = kill_and_reap(proc, sig)
    assert code_seen == code, err
    assert "interrupted; nothing was written" in err
    assert not out.exists() and not temporaries()
