"""Damaged or odd results files, bad output paths and interrupts: exit 2 (130 for Ctrl-C)
with a message naming the file and the dataset, attribute or option at fault, never a
traceback, and no output file or directory left behind unless the command succeeded.

Each file is a small synthetic one with one thing broken (h5py), run through cli.main in
process."""

import os
import shutil

import h5py
import numpy as np
import pytest
from numpy.lib import recfunctions as rfn

from analysis import cli, plots
from analysis.tests import synthetic


@pytest.fixture(scope="module")
def good(tmp_path_factory):
    d = tmp_path_factory.mktemp("bad_files")
    return synthetic.write(d / "good.h5", replications=3, days=30)


@pytest.fixture
def copy(good, tmp_path):
    """A fresh copy of the good file to break."""
    def make(name="broken.h5"):
        p = tmp_path / name
        shutil.copy(good, p)
        return p
    return make


def _exit(capsys, *args):
    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as e:
        code = e.code
    return code, capsys.readouterr().err


def _fails(capsys, *args, says):
    code, err = _exit(capsys, *args)
    assert code == 2, f"exit {code}\n{err}"
    assert "Traceback" not in err
    for s in ([says] if isinstance(says, str) else says):
        assert s in err, err
    return err


def _rewrite(path, name, data):
    """Replaces dataset /name by `data`, keeping its attributes."""
    with h5py.File(path, "a") as f:
        attrs = dict(f[name].attrs)
        del f[name]
        f[name] = data
        for k, v in attrs.items():
            f[name].attrs[k] = v


def _corrupt_first_chunk(path, name):
    with h5py.File(path, "r") as f:
        info = f[name].id.get_chunk_info(0)
    with open(path, "r+b") as fh:
        fh.seek(info.byte_offset + 2)
        fh.write(b"\0" * (info.size - 4))


def _no_leftovers(where):
    assert not [p.name for p in where.iterdir() if p.name.endswith(".partial")]


# ------------------------------------------------------------------------------------------
# Inputs


def test_a_fifo_is_refused_without_opening_it(tmp_path, capsys):
    fifo = tmp_path / "pipe.h5"
    os.mkfifo(fifo)
    _fails(capsys, "summary", fifo, says=[str(fifo), "not a regular file"])


def test_an_input_name_too_long_is_no_such_file(tmp_path, capsys):
    _fails(capsys, "summary", tmp_path / ("x" * 300 + ".h5"), says="no such file")


def test_damaged_chunks_name_the_dataset(copy, tmp_path, capsys):
    runs = copy("runs.h5")
    _corrupt_first_chunk(runs, "pax_in")
    _fails(capsys, "summary", runs, says=[str(runs), "cannot read /pax_in"])
    strength = copy("strength.h5")
    _corrupt_first_chunk(strength, "series/strength")
    _fails(capsys, "report", strength, "-o", tmp_path / "r",
           says=[str(strength), "cannot read /series/strength"])
    assert not (tmp_path / "r").exists()
    _no_leftovers(tmp_path)
    ck = copy("ck.h5")
    _corrupt_first_chunk(ck, "contingent_pax_in")
    _fails(capsys, "report", ck, "-o", tmp_path / "r", says=[str(ck), "/contingent_pax_in"])
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize("column", ["status", "replication", "seed"])
def test_runs_without_an_id_column(copy, capsys, column):
    p = copy()
    with h5py.File(p, "a") as f:
        del f[column]
    _fails(capsys, "compare", p, p, says=[str(p), f"/{column} is missing"])


def test_tables_of_the_wrong_kind(copy, capsys):
    p = copy("runs_2d.h5")
    with h5py.File(p, "r") as f:
        runs = f["point"][()]
    _rewrite(p, "point", np.stack([runs, runs]))
    _fails(capsys, "summary", p, says=[str(p), "/point has 2 dimensions"])
    p = copy("points.h5")
    with h5py.File(p, "a") as f:
        del f["design_point"]
    _fails(capsys, "summary", p, says=[str(p), "/design_point"])
    p = copy("kpi_text.h5")
    with h5py.File(p, "r") as f:
        n = len(f["pax_in"])
    _rewrite(p, "pax_in", np.array([b"many"] * n))
    _fails(capsys, "summary", p, says=[str(p), "/pax_in is not numeric"])
    p = copy("runs_rows.h5")
    with h5py.File(p, "r") as f:
        n = len(f["pax_in"])
    _rewrite(p, "pax_in", np.zeros(n + 1))
    _fails(capsys, "summary", p, says=[str(p), f"/pax_in has {n + 1} rows"])
    p = copy("regimes.h5")
    _rewrite(p, "regimes/stationary_share", np.array([b"x"] * 3))
    _fails(capsys, "plot", "regimes", p, "-o", p.with_suffix(".png"),
           says=[str(p), "/stationary_share is not numeric"])


def test_runs_of_a_point_that_points_does_not_list(copy, capsys):
    p = copy()
    with h5py.File(p, "a") as f:
        f["point"][...] = 7
    _fails(capsys, "summary", p, says=[str(p), "design point 7", "/design_point"])


def test_events_and_contingent_kpis_of_the_wrong_shape(copy, tmp_path, capsys):
    p = copy("events.h5")
    with h5py.File(p, "r") as f:
        ev = f["tables/events"][()]
    _rewrite(p, "tables/events", rfn.drop_fields(ev, "t_h"))
    _fails(capsys, "plot", "timelines", p, "-o", tmp_path / "s.png",
           says=[str(p), "/tables/events has no column `t_h`"])
    p = copy("ck.h5")
    with h5py.File(p, "r") as f:
        ck = f["contingent_pax_in"][()]
    _rewrite(p, "contingent_pax_in", ck[:2])
    _fails(capsys, "report", p, "-o", tmp_path / "r",
           says=[str(p), "/contingent_pax_in is 2 × 3"])
    assert not (tmp_path / "r").exists() and not (tmp_path / "s.png").exists()


@pytest.mark.parametrize("variable", ["strength", "airport_open", "regime"])
def test_a_missing_series_variable_is_named(copy, tmp_path, capsys, variable):
    p = copy()
    with h5py.File(p, "a") as f:
        del f["series/" + variable]
    _fails(capsys, "report", p, "-o", tmp_path / "r", says=[str(p), f"/series/{variable}"])
    assert not (tmp_path / "r").exists()


def test_series_of_another_run_count(copy, tmp_path, capsys):
    p = copy()
    with h5py.File(p, "a") as f:
        keep = [k for k in f if isinstance(f[k], h5py.Dataset) and f[k].ndim >= 1
                and f[k].shape[0] == 3 and k not in ("contingent", "design_point")]
    for k in keep:
        with h5py.File(p, "r") as f:
            data = f[k][()]
        _rewrite(p, k, data[:2])
    _fails(capsys, "plot", "filled", p, "-o", tmp_path / "s.png",
           says=[str(p), "/series has 3 runs but /run has 2"])


def test_text_that_is_not_utf8(copy, capsys):
    p = copy("fmt.h5")
    with h5py.File(p, "a") as f:
        f.attrs.create("format", np.array(b"\xffmss", dtype="S4"))
    _fails(capsys, "summary", p, says=[str(p), "this mss reads mss-sim/2"])
    p = copy("toml.h5")
    with h5py.File(p, "a") as f:
        f["scenario"].attrs.create("toml", np.array(b"a = \xff", dtype="S5"))
    _fails(capsys, "summary", p, says=[str(p), "/scenario attr `toml`", "UTF-8"])
    p = copy("info.h5")
    with h5py.File(p, "a") as f:
        f.attrs.create("git_commit", np.array(b"\xff\xfe", dtype="S2"))
    code, err = _exit(capsys, "summary", p)
    assert code == 0, err


@pytest.mark.parametrize("edit,says", [
    (("billets = 1000", 'billets = "lots"'), "billets of contingent 'Kenya' is not a number"),
    (("[kpis]", "[kpis]\nfloor_frac = \"high\"\n[x]"), "kpis.floor_frac is not a number"),
    (("[scenario]", 'contingent = 5\n[scenario]'), "`contingent` is not an array of tables"),
])
def test_scenario_values_of_the_wrong_type(copy, tmp_path, capsys, edit, says):
    p = copy()
    toml = synthetic.scenario_toml(synthetic.Spec(replications=3, days=30, kpis={}))
    assert edit[0] in toml
    toml = toml.replace(*edit)
    if "contingent = 5" in toml:   # drop the [[contingent]] tables the key would clash with
        toml = "\n\n".join(b for b in toml.split("\n\n") if "[[contingent]]" not in b)
    with h5py.File(p, "a") as f:
        f["scenario"].attrs["toml"] = toml
    _fails(capsys, "plot", "filled", p, "-o", tmp_path / "s.png",
           says=[str(p), "/scenario attr `toml`", says])


def test_scenario_table_that_is_a_string(copy, tmp_path, capsys):
    p = copy()
    with h5py.File(p, "a") as f:
        f["scenario"].attrs["toml"] = 'scenario = "x"\n'
    code, err = _exit(capsys, "plot", "kpis", p, "-o", tmp_path / "k.png")
    assert code == 0, err


def test_dates_that_are_not_dates(copy, tmp_path, capsys):
    p = copy()
    with h5py.File(p, "a") as f:
        f["series/time"].attrs["units"] = "furlongs"
    _fails(capsys, "plot", "filled", p, "-o", tmp_path / "s.png",
           says=[str(p), "/series/time"])


def test_series_all_nan_in_ok_runs_still_plots(copy, tmp_path, capsys):
    p = copy()
    with h5py.File(p, "a") as f:
        f["series/strength"][...] = np.nan
    code, err = _exit(capsys, "plot", "filled", p, "-o", tmp_path / "s.png")
    assert code == 0, err


def test_runs_without_events_dropped_still_report(copy, tmp_path, capsys):
    p = copy()
    with h5py.File(p, "a") as f:
        del f["events_dropped"]
    code, err = _exit(capsys, "report", p, "-o", tmp_path / "r")
    assert code == 0, err
    assert "Every event of these runs was recorded" in (tmp_path / "r" / "report.html").read_text()


def test_compare_with_repeated_runs_or_no_kpi_in_common(copy, capsys):
    p = copy("dup.h5")
    with h5py.File(p, "a") as f:
        f["replication"][...] = 0
    _fails(capsys, "compare", p, p, says=[str(p), "same (point, replication)"])
    p = copy("nokpi.h5")
    with h5py.File(p, "a") as f:
        for k in f["run"].attrs["kpis"]:
            del f[k.decode() if isinstance(k, bytes) else k]
        del f["run"].attrs["kpis"]
    _fails(capsys, "compare", p, p, says="no KPI column in common")


def test_a_point_with_no_run_in_the_file(tmp_path, capsys):
    # A shard: /design_point lists every design point, /point only its slice's.
    p = synthetic.write(tmp_path / "shard.h5", factors={"x": [1, 2]}, replications=2, days=20)
    with h5py.File(p, "a") as f:
        f["point"][...] = 1
    _fails(capsys, "plot", "kpis", p, "--point", "0", "-o", tmp_path / "k.png",
           says=[str(p), "no run of design point 0"])
    assert not (tmp_path / "k.png").exists()


# ------------------------------------------------------------------------------------------
# Outputs


def test_report_into_a_file_or_the_input(good, tmp_path, capsys):
    f = tmp_path / "a-file"
    f.write_text("keep\n")
    _fails(capsys, "report", good, "-o", f, says=[str(f), "not a directory"])
    _fails(capsys, "report", good, "-o", f / "sub", says=[str(f / "sub")])
    _fails(capsys, "report", good, "-o", good, says=[str(good)])
    _fails(capsys, "compare", good, good, "-o", f, says=[str(f), "not a directory"])
    assert f.read_text() == "keep\n"
    _fails(capsys, "report", good, "-o", "", says="empty")
    _no_leftovers(tmp_path)


def test_report_never_overwrites_its_input(good, tmp_path, capsys):
    d = tmp_path / "d"
    d.mkdir()
    inp = d / "kpis.csv"          # an HDF5 file that happens to have a report file's name
    shutil.copy(good, inp)
    _fails(capsys, "report", inp, "-o", d, says=[str(inp), "input file"])
    assert h5py.is_hdf5(inp)
    assert sorted(p.name for p in d.iterdir()) == ["kpis.csv"]


def test_plot_output_paths(good, tmp_path, capsys):
    png = tmp_path / "in.png"     # an HDF5 file named like an image
    shutil.copy(good, png)
    _fails(capsys, "plot", "kpis", png, "-o", png, says=[str(png), "input file"])
    assert h5py.is_hdf5(png)
    _fails(capsys, "plot", "kpis", good, "-o", good, says=[str(good), "input file"])
    _fails(capsys, "plot", "kpis", good, "-o", tmp_path, says=[str(tmp_path), "directory"])
    _fails(capsys, "plot", "kpis", good, "-o", tmp_path / "k.txt", says=["k.txt", ".txt"])
    f = tmp_path / "a-file"
    f.write_text("")
    _fails(capsys, "plot", "kpis", good, "-o", f / "k.png", says=[str(f / "k.png"),
                                                                   "cannot write"])
    _fails(capsys, "plot", "kpis", good, "-o", tmp_path / ("x" * 300 + ".png"),
           says="cannot write")
    _fails(capsys, "plot", "kpis", good, "-o", "", says="empty")
    # Another format matplotlib writes: by its suffix (PNG-only metadata left out).
    code, err = _exit(capsys, "plot", "kpis", good, "-o", tmp_path / "k.svg")
    assert code == 0, err
    assert b"<svg" in (tmp_path / "k.svg").read_bytes()[:1000]
    # Without a suffix: a PNG at exactly the path named.
    code, err = _exit(capsys, "plot", "kpis", good, "-o", tmp_path / "noext")
    assert code == 0, err
    assert (tmp_path / "noext").read_bytes()[:4] == b"\x89PNG"
    _no_leftovers(tmp_path)


def test_a_failed_report_leaves_no_directory_and_no_new_files(tmp_path, capsys):
    p = synthetic.write(tmp_path / "failed.h5", replications=2, days=20, failed_runs=(0, 1))
    out = tmp_path / "a" / "b" / "r"
    _fails(capsys, "report", p, "-o", out, says="no successful run")
    assert not (tmp_path / "a").exists()
    _fails(capsys, "report", p, "-o", tmp_path / "a" / ("y" * 300) / "r", says="cannot create")
    assert not (tmp_path / "a").exists()
    # An existing directory keeps what it had and gets nothing new.
    out = tmp_path / "old"
    out.mkdir()
    (out / "notes.md").write_text("old notes\n")
    _fails(capsys, "report", p, "-o", out, says="no successful run")
    assert sorted(q.name for q in out.iterdir()) == ["notes.md"]
    (out / "report.html").write_text("old report\n")   # an earlier report, even with --force
    _fails(capsys, "report", p, "-o", out, "--force", says="no successful run")
    assert sorted(q.name for q in out.iterdir()) == ["notes.md", "report.html"]
    assert (out / "report.html").read_text() == "old report\n"
    _no_leftovers(tmp_path)
    # An unknown point is refused before anything is made.
    _fails(capsys, "report", p, "-o", tmp_path / "new", "--point", "3", says="no design point 3")
    assert not (tmp_path / "new").exists()


def test_a_report_directory_gets_the_usual_permissions(good, tmp_path, capsys):
    code, err = _exit(capsys, "report", good, "-o", tmp_path / "r")
    assert code == 0, err
    umask = os.umask(0)
    os.umask(umask)
    assert (tmp_path / "r").stat().st_mode & 0o777 == 0o777 & ~umask
    _no_leftovers(tmp_path)


def _interrupted(capsys, *args):
    try:
        return _exit(capsys, *args)
    except KeyboardInterrupt:   # would stop pytest itself
        pytest.fail("KeyboardInterrupt escaped cli.main")


def test_ctrl_c_exits_130_and_leaves_nothing(good, tmp_path, capsys, monkeypatch):
    real_save = plots.save
    calls = []

    def interrupted_save(fig, path):
        calls.append(path)
        if len(calls) == 2:       # after one figure is written
            raise KeyboardInterrupt
        return real_save(fig, path)

    monkeypatch.setattr(plots, "save", interrupted_save)
    code, err = _interrupted(capsys, "report", good, "-o", tmp_path / "r", "--png")
    assert code == 130 and "interrupted" in err and "Traceback" not in err
    assert not (tmp_path / "r").exists()
    _no_leftovers(tmp_path)
    monkeypatch.undo()

    # In the middle of writing an image: no truncated file at the path.
    def interrupted_savefig(self, fname, **kw):
        with open(fname, "wb") as fh:
            fh.write(b"\x89PNG half")
        raise KeyboardInterrupt

    monkeypatch.setattr(plots.Figure, "savefig", interrupted_savefig)
    code, err = _interrupted(capsys, "plot", "kpis", good, "-o", tmp_path / "k.png")
    assert code == 130 and "interrupted" in err
    assert list(tmp_path.iterdir()) == []
