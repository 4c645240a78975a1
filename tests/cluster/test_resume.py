"""The journal (DESIGN §7): after SIGKILL at any moment (early, in the middle, during the
final write), SIGTERM or SIGINT, `--resume` finishes the sweep with results identical to an
uninterrupted one, without rerunning a finished run; a torn last record is cut off; journals
of another sweep or shard, and journals without --resume, are refused."""
import os
import pathlib
import random
import signal
import struct

import h5py
import pytest

from conftest import (HEADER, SWEEP, assert_identical, journal_header, journal_records, kill_and_reap,
                      mpiexec, mpirun, mss, start_sweep, sweep, wait_for)
from fslimit import file_size_limit

# 4 points x 150 replications = 600 runs of 240 days: about a second on one busy core. Under
# ThreadSanitizer, where a run is ~10x slower, tests/cluster/CMakeLists.txt asks for 50 (200
# runs): every kill moment below is a share of RUNS, so the tests are the same.
REPLICATIONS = int(os.environ.get("MSS_RESUME_REPLICATIONS", "150"))
REPS = ["--set", f"sweep.replications={REPLICATIONS}"]
RUNS = 4 * REPLICATIONS


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref") / "uninterrupted.h5"
    sweep(out, "-j", 2, *REPS)
    return out


def resume(out, *extra):
    r = sweep(out, "-j", 2, *REPS, "--resume", *extra)
    assert not os.path.exists(f"{out}.journal"), "the journal is removed when the file is done"
    assert not list(out.parent.glob(out.name + ".tmp-*")), "stale temporaries are removed"
    return r


def journal_of(out):
    return f"{out}.journal"


@pytest.mark.parametrize("moment", ["early", "middle"])
def test_sigkill_then_resume_is_identical(reference, tmp_path, moment):
    out = tmp_path / "k.h5"
    p = start_sweep(out, "-j", 2, *REPS)
    need = 1 if moment == "early" else RUNS // 2
    assert wait_for(lambda: journal_records(journal_of(out)) >= need, p), "finished too soon"
    code, _, _ = kill_and_reap(p)
    assert code == -signal.SIGKILL
    assert not out.exists()
    # On a loaded machine the last runs may be journaled before the kill lands; the file is
    # still not written, and the resume must still give the same file.
    done = journal_records(journal_of(out))
    assert need <= done <= RUNS
    r = resume(out)
    assert "runs resumed from the journal" in r.stdout
    assert_identical(reference, out)


def kill_during_the_final_write(out):
    """SIGKILLs a sweep into OUT after its last run is journaled and before the file is renamed
    (tries up to 10 times): a complete journal, no results file."""
    for attempt in range(10):
        p = start_sweep(out, "-j", 2, *REPS)
        caught = wait_for(lambda: journal_records(journal_of(out)) == RUNS, p, step=0.0005)
        kill_and_reap(p)
        if caught and os.path.exists(journal_of(out)) and not out.exists():
            print(f"caught on attempt {attempt + 1}")
            return   # every run journaled, the file not yet renamed
        for f in (out, *out.parent.glob(out.name + ".tmp-*")):
            f.unlink(missing_ok=True)
        if os.path.exists(journal_of(out)):
            os.unlink(journal_of(out))
    pytest.fail("could not kill the sweep during its final write in 10 attempts")


@pytest.mark.parametrize("renamed", [False, True])
def test_sigkill_during_the_final_write_then_resume_is_identical(reference, tmp_path, renamed):
    """Killed after the last run is journaled and before the results file is renamed: the
    file is being completed (its last block compressed and written, synced). With `renamed`,
    the kill is taken to land between the rename and the journal's removal: the finished file
    and the complete journal are both there, and --resume writes the file again."""
    out = tmp_path / "k.h5"
    kill_during_the_final_write(out)
    if renamed:
        for part in tmp_path.glob("k.h5.tmp-*"):
            part.unlink()
        out.write_bytes(reference.read_bytes())
    r = resume(out)
    assert f"{RUNS} runs resumed" in r.stdout
    assert_identical(reference, out)


def test_a_full_disk_while_journaling_keeps_the_journal_and_resume_is_identical(reference,
                                                                                tmp_path):
    """The disk fills at the journal or the results file, whichever grows past it first."""
    out = tmp_path / "d.h5"
    r = sweep(out, "-j", 2, *REPS, check=False, preexec_fn=file_size_limit(200_000))
    assert r.returncode == 1, r.stderr
    assert "File too large" in r.stderr.strip().splitlines()[-1], r.stderr
    assert journal_records(journal_of(out)) > 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.h5.journal"]
    resume(out)
    assert_identical(reference, out)


def test_a_full_disk_during_the_final_write_keeps_the_journal(reference, tmp_path):
    """A complete journal, and no room for the results file: exit 1, the journal intact."""
    out = tmp_path / "f.h5"
    kill_during_the_final_write(out)
    # The killed sweep's temporary (f.h5.tmp-HOST-PID-RANDOM, its PID gone) is removed by the
    # resume: only the journal is left below.
    r = sweep(out, "-j", 2, *REPS, "--resume", check=False,
              preexec_fn=file_size_limit(100_000))
    assert r.returncode == 1, r.stderr      # HDF5 1.10 used to crash here (exit -11)
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith(f"mss sweep: cannot write results file {out}.tmp-"), last
    assert "(File too large)" in last, last
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.h5.journal"]
    assert journal_records(journal_of(out)) == RUNS
    resume(out)
    assert_identical(reference, out)


@pytest.mark.parametrize("sig,code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_keeps_the_journal_and_resume_is_identical(reference, tmp_path, sig, code):
    out = tmp_path / "t.h5"
    p = start_sweep(out, "-j", 2, *REPS)
    assert wait_for(lambda: journal_records(journal_of(out)) >= RUNS // 3, p)
    rc, _, err = kill_and_reap(p, sig)
    assert rc == code, err
    assert "--resume" in err and "interrupted" in err
    assert not out.exists() and not list(tmp_path.glob("t.h5.tmp-*"))
    resume(out)
    assert_identical(reference, out)


def test_torn_last_record_is_cut_off(reference, tmp_path):
    out = tmp_path / "torn.h5"
    p = start_sweep(out, "-j", 1, *REPS)
    assert wait_for(lambda: journal_records(journal_of(out)) >= 10, p)
    kill_and_reap(p)
    # A kill in the middle of a write leaves a partial frame: fake one (a frame header
    # promising more bytes than follow).
    with open(journal_of(out), "ab") as f:
        f.write(b"MSSR" + b"\0" * 12 + (1 << 20).to_bytes(8, "little") + b"\0" * 8 + b"xyz")
    r = resume(out)
    assert "cut off an incomplete last record" in r.stderr
    assert_identical(reference, out)


def test_repeated_kills_at_random_moments(reference, tmp_path):
    out = tmp_path / "r.h5"
    rng = random.Random(6)
    for _ in range(4):
        args = ["-j", 2, *REPS] + (["--resume"] if os.path.exists(journal_of(out)) else [])
        p = start_sweep(out, *args)
        target = journal_records(journal_of(out)) + rng.randint(1, RUNS // 5)
        wait_for(lambda: journal_records(journal_of(out)) >= target, p)
        kill_and_reap(p)
        if out.exists():
            break
    if not out.exists():
        resume(out)
    assert_identical(reference, out)


def test_a_journal_without_resume_is_refused(tmp_path):
    out = tmp_path / "j.h5"
    p = start_sweep(out, "-j", 1, *REPS)
    assert wait_for(lambda: journal_records(journal_of(out)) >= 5, p)
    kill_and_reap(p)
    r = sweep(out, *REPS, check=False)
    assert r.returncode == 2
    assert "--resume" in r.stderr and "j.h5.journal exists" in r.stderr
    r = sweep(out, *REPS, "--force", check=False)   # --force never discards a journal
    assert r.returncode == 2


def test_resume_refuses_another_sweeps_journal(tmp_path):
    out = tmp_path / "j.h5"
    p = start_sweep(out, "-j", 1, *REPS)
    assert wait_for(lambda: journal_records(journal_of(out)) >= 5, p)
    kill_and_reap(p)
    h = journal_header(journal_of(out))
    assert h["total"] == RUNS and h["shard"] == (0, 1) and h["first"] == 0 and h["count"] == RUNS
    r = sweep(out, *REPS, "--set", "sweep.seed=12", "--resume", check=False)
    assert r.returncode == 2 and "another sweep" in r.stderr
    r = sweep(out, *REPS, "--shard", "1/2", "--resume", check=False)
    assert r.returncode == 2 and "--shard 1/2" in r.stderr
    # The journal survived both refusals.
    assert journal_records(journal_of(out)) >= 5


def test_resume_of_a_finished_sweep_does_nothing(reference, tmp_path):
    out = tmp_path / "done.h5"
    sweep(out, "-j", 2, "--set", "sweep.replications=2")
    r = sweep(out, "-j", 2, "--set", "sweep.replications=2", "--resume")
    assert "nothing to do" in r.stdout
    r = sweep(out, "-j", 2, "--set", "sweep.replications=3", "--resume", check=False)
    assert r.returncode == 2 and "--force" in r.stderr


def test_existing_output_needs_force(tmp_path):
    out = tmp_path / "o.h5"
    sweep(out, "--set", "sweep.replications=1")
    r = sweep(out, "--set", "sweep.replications=1", check=False)
    assert r.returncode == 2 and "--force" in r.stderr
    sweep(out, "--set", "sweep.replications=1", "--force")


@pytest.mark.skipif(mpiexec() is None, reason="mss built without MPI")
def test_mpi_sweep_interrupted_then_resumed_serially(reference, tmp_path):
    """The journal does not care who wrote it: an MPI sweep stopped by SIGTERM resumes in one
    process (and the other way round would work too)."""
    out = tmp_path / "m.h5"
    p = start_sweep(out, "-j", 1, *REPS, launcher=mpiexec())
    # Early enough that the signal, forwarded by mpirun, arrives long before the last run (the
    # whole sweep takes ~0.4 s after start-up here).
    assert wait_for(lambda: journal_records(journal_of(out)) >= RUNS // 10, p)
    kill_and_reap(p, signal.SIGTERM)
    assert not out.exists()
    assert journal_records(journal_of(out)) >= RUNS // 10
    resume(out)
    assert_identical(reference, out)


@pytest.mark.skipif(mpiexec() is None, reason="mss built without MPI")
def test_serial_sweep_killed_then_resumed_by_three_mpi_ranks(reference, tmp_path):
    out = tmp_path / "s.h5"
    p = start_sweep(out, "-j", 1, *REPS)
    assert wait_for(lambda: journal_records(journal_of(out)) >= RUNS // 5, p)
    kill_and_reap(p)
    r = mpirun(3, "sweep", SWEEP, "-o", out, "-j", 1, "--quiet", *REPS, "--resume")
    assert "3 MPI ranks" in r.stdout and "runs resumed from the journal" in r.stdout
    assert not os.path.exists(journal_of(out))
    assert_identical(reference, out)


@pytest.mark.skipif(mpiexec() is None, reason="mss built without MPI")
def test_sigterm_to_the_mpi_ranks_keeps_the_journal(reference, tmp_path):
    """As Slurm does at a time limit: every rank gets SIGTERM; rank 0 exits 143."""
    import subprocess
    out = tmp_path / "t.h5"
    p = start_sweep(out, "-j", 1, *REPS, launcher=mpiexec())
    assert wait_for(lambda: journal_records(journal_of(out)) >= RUNS // 4, p)
    ranks = subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True, text=True)
    pids = [int(x) for x in ranks.stdout.split()]
    assert len(pids) == 2
    for pid in pids:
        os.kill(pid, signal.SIGTERM)
    _, err = p.communicate(timeout=120)
    assert "interrupted" in err and "--resume" in err
    assert not out.exists()
    resume(out)
    assert_identical(reference, out)


# --- journals that are not journals (issue 24, items 4 and 5) ---

SMALL = ["--set", "sweep.replications=1"]  # 4 runs


@pytest.mark.parametrize("header", [b"", b"MSSJNL01" + b"\0" * 32],
                         ids=["empty", "half-header"])
@pytest.mark.parametrize("resume_flag", [[], ["--resume"]], ids=["start", "resume"])
def test_a_journal_without_a_complete_header_is_treated_as_absent(tmp_path, header,
                                                                  resume_flag):
    """What a full disk or a kill between creating the journal and writing its header leaves:
    a rerun (a requeued batch job, with or without --resume) starts afresh."""
    out = tmp_path / "h.h5"
    pathlib.Path(journal_of(out)).write_bytes(header)
    r = sweep(out, "-j", 2, *SMALL, *resume_flag, check=False)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.h5"]


def test_a_full_disk_at_the_start_leaves_no_journal(tmp_path):
    out = tmp_path / "e.h5"
    r = sweep(out, "-j", 2, *SMALL, check=False, preexec_fn=file_size_limit(40))
    assert r.returncode == 1, r.stderr
    assert "File too large" in r.stderr, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    r = sweep(out, "-j", 2, *SMALL, check=False)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("kind", ["fifo", "directory"])
@pytest.mark.parametrize("resume_flag", [[], ["--resume"]], ids=["start", "resume"])
def test_a_journal_that_is_not_a_regular_file_is_refused(tmp_path, kind, resume_flag):
    out = tmp_path / "s.h5"
    j = pathlib.Path(journal_of(out))
    if kind == "fifo":
        os.mkfifo(j)
    else:
        j.mkdir()
    r = sweep(out, "-j", 2, *SMALL, *resume_flag, check=False, timeout=60)
    assert r.returncode == 2, r.stderr
    words = "a FIFO" if kind == "fifo" else "a directory"
    assert f"{j} is {words}, not a regular file" in r.stderr, r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.h5.journal"]


# --- damaged journals are named (issue 24, item 10) ---

def crc64_xz(data):
    crc = 0xFFFFFFFFFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0xC96C5795D7870F42 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFFFFFFFFFF


def frames(path):
    """(offset, run, length) of each complete frame."""
    out, data = [], pathlib.Path(path).read_bytes()
    pos = HEADER_SIZE
    while pos + 32 <= len(data):
        magic, _, run, length, _ = struct.unpack_from("<IIqQQ", data, pos)
        if magic != 0x5253534D or pos + 32 + length > len(data):
            break
        out.append((pos, run, length))
        pos += 32 + length
    return out


HEADER_SIZE = 80


def interrupted_journal(tmp_path, name, records=12):
    out = tmp_path / name
    p = start_sweep(out, "-j", 1, *REPS)
    assert wait_for(lambda: journal_records(journal_of(out)) >= records, p)
    kill_and_reap(p)
    return out


def test_a_damaged_record_in_the_middle_is_reported_as_such(reference, tmp_path):
    out = interrupted_journal(tmp_path, "m.h5")
    fr = frames(journal_of(out))
    off, run, length = fr[4]
    with open(journal_of(out), "r+b") as f:   # one byte of record 4's payload
        f.seek(off + 32 + length // 2)
        b = f.read(1)
        f.seek(off + 32 + length // 2)
        f.write(bytes([b[0] ^ 0xFF]))
    r = resume(out)
    assert "incomplete last record" not in r.stderr, r.stderr
    assert f"record 4 (run {run}) is damaged" in r.stderr, r.stderr
    assert f"{len(fr) - 5} complete records after it" in r.stderr, r.stderr
    assert_identical(reference, out)


def test_a_record_that_does_not_decode_is_named(tmp_path):
    out = interrupted_journal(tmp_path, "g.h5")
    j = pathlib.Path(journal_of(out))
    data = j.read_bytes()
    off, run, length = frames(j)[3]
    assert struct.unpack_from("<Q", data, off + 24)[0] == crc64_xz(
        data[off + 8:off + 24] + data[off + 32:off + 32 + length]), "the checksum rule"
    garbage = b"\x07" * 64
    head = struct.pack("<qQ", run, len(garbage))
    frame = struct.pack("<II", 0x5253534D, 0) + head + struct.pack("<Q", crc64_xz(head + garbage))
    j.write_bytes(data[:off] + frame + garbage)
    r = sweep(out, "-j", 2, *REPS, "--resume", check=False)
    assert r.returncode == 2, r.stderr
    assert f"{j}: record 3 (run {run})" in r.stderr, r.stderr
    assert "cannot be decoded" in r.stderr and "delete" in r.stderr, r.stderr


# --- files of an older mss (results format mss-sim/2, journal version 5) ---

def test_a_journal_of_an_older_version_is_refused_naming_the_file(tmp_path):
    """An older journal holds records without the filled and airport_closed series: it is
    refused, never misread."""
    out = tmp_path / "old.h5"
    j = pathlib.Path(journal_of(out))
    j.write_bytes(HEADER.pack(b"MSSJNL01", 80, 4, b"0123456789abcdef", 4, 0, 1, 0, 4, 0))
    r = sweep(out, "-j", 2, *SMALL, "--resume", check=False)
    assert r.returncode == 2, r.stderr
    assert f"{j} is a journal of another version (4; this mss reads 5)" in r.stderr, r.stderr
    assert j.exists() and not out.exists()


def test_resume_onto_a_final_file_of_another_format_names_both_versions(tmp_path):
    out = tmp_path / "v1.h5"
    with h5py.File(out, "w") as f:
        f.attrs["format"] = "mss-sim/1"
    r = sweep(out, "-j", 2, *SMALL, "--resume", check=False)
    assert r.returncode == 2, r.stderr
    assert f"{out} is format mss-sim/1; this mss reads mss-sim/2" in r.stderr, r.stderr
