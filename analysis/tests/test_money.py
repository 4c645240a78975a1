"""The payers (docs/results.md): analysis.load reads their ledgers and balances from a file
the simulator writes (closure-2024: the UN trust fund and the US), a file without payers
(the baseline, whose [funding] has none) or written before them (the variables deleted)
has none, a payer variable of the wrong shape is a damaged file, and the report's Money
section shows the means of the ledgers as h5py reads them (for a sweep, of one design point
with --point)."""

import shutil

import h5py
import numpy as np
import pytest
from scipy import stats as sps

import analysis
from analysis import cli, planner, stats
from analysis.results import PAYER_KPIS, DamagedFile
from analysis.tests import helpers
from analysis.tests.conftest import _run_mss, assert_png_not_blank
from analysis.tests.test_report import figures_of

PAYER_VARIABLES = PAYER_KPIS + ("payer", "series/payer", "series/payer_balance")


def _h5(path):
    """(payers, status, {payer KPI variable: [run, payer]}, balance [run, time, payer]) read
    with h5py alone."""
    with h5py.File(path, "r") as f:
        payers = [x.decode() for x in f["payer"][()]]
        kpis = {k: f[k][()] for k in PAYER_KPIS}
        return payers, f["status"][()], kpis, f["series/payer_balance"][()]


def test_a_file_with_payers_gives_their_ledgers_and_balances(sim_money):
    payers, status, kpis, balance = _h5(sim_money)
    assert payers == ["UN-trust-fund", "US-bilateral"]
    with analysis.load(sim_money) as res:
        assert res.has_payers and res.payers == payers
        pk = res.payer_kpis
        assert list(pk.columns) == ["run", "payer"] + [k[len("payer_"):] for k in PAYER_KPIS]
        assert len(pk) == res.n_runs * 2
        for j, p in enumerate(payers):
            sub = pk[pk["payer"] == p]
            assert list(sub["run"]) == list(res.runs["run"])
            for k in PAYER_KPIS:
                np.testing.assert_array_equal(sub[k[len("payer_"):]].to_numpy(), kpis[k][:, j])
        b = res.series_values("payer_balance")
        assert b.dtype == np.float32 and b.shape == (res.n_runs, res.days, 2)
        np.testing.assert_array_equal(b, balance)
        assert res.series["payer_balance"].dims == ("run", "time", "payer")
        assert res.attrs_of("payer_cost_usd")["units"] == "USD"
    # The contract's metadata of the payer KPIs are the file's
    with h5py.File(sim_money, "r") as f:
        for k in stats.PAYER_KPIS:
            a = f["payer_" + k.name].attrs
            assert (a["units"], a["long_name"]) == (k.unit, k.long_name), k.name


def test_a_file_without_payers_has_none(sim_plain):
    """The baseline models no money: the dimension is there, of length 0."""
    with analysis.load(sim_plain) as res:
        assert res.payers == []
        assert res.payer_kpis.empty
        assert list(res.payer_kpis.columns)[:2] == ["run", "payer"]
        assert res.series_values("payer_balance").shape == (res.n_runs, res.days, 0)
        assert stats.payer_summary_table(res.payer_kpis, res.runs).empty
        assert planner.money_figure(planner.View(res)) is None


def test_a_file_written_before_payers_reads_as_one_without(sim_money, tmp_path):
    p = tmp_path / "old.h5"
    shutil.copy(sim_money, p)
    with h5py.File(p, "a") as f:
        for name in PAYER_VARIABLES:
            del f[name]
    with analysis.load(p) as res:
        assert not res.has_payers and res.payers == []
        assert res.payer_kpis.empty
        assert res.series_values("payer_balance").shape == (res.n_runs, res.days, 0)
        assert "payer_balance" not in res.series
        assert len(res.summary())   # the rest reads as before
    out = tmp_path / "r"
    assert cli.main(["report", str(p), "-o", str(out)]) == 0
    assert 'id="money"' not in (out / "report.html").read_text()


@pytest.mark.parametrize("name,shape,says", [
    ("payer_days_held", (8, 3), "/payer_days_held is 8 × 3, expected run 8 × payer 2"),
    ("payer_cost_usd", (8,), "/payer_cost_usd has 1 dimensions, expected 2"),
    ("series/payer_balance", (8, 668, 1),
     "/series/payer_balance is 8 × 668 × 1, expected run 8 × time 668 × payer 2"),
    ("payer", (3,), "/payer has 3 rows, /series/payer has 2"),
])
def test_a_payer_variable_of_the_wrong_shape_is_damaged(sim_money, tmp_path, capsys, name,
                                                        shape, says):
    p = tmp_path / "bad.h5"
    shutil.copy(sim_money, p)
    with h5py.File(p, "a") as f:
        dtype = f[name].dtype
        del f[name]
        f.create_dataset(name, shape, dtype=dtype)
    with pytest.raises(DamagedFile, match="is damaged: " + name.join(["/", ""])) as e:
        analysis.load(p)
    assert says in str(e.value)
    assert cli.main(["summary", str(p)]) == 2
    assert says in capsys.readouterr().err


@pytest.mark.parametrize("name", PAYER_VARIABLES)
def test_a_file_with_payers_lacking_one_payer_variable_is_damaged(sim_money, tmp_path, name):
    p = tmp_path / "lacking.h5"
    shutil.copy(sim_money, p)
    with h5py.File(p, "a") as f:
        del f[name]
    with pytest.raises(DamagedFile, match=f"/{name} is missing"):
        analysis.load(p)


def _interval(x, lower):
    """The mean and its Student-t 95% interval of x, clipped below at `lower` (by hand)."""
    m = float(np.mean(x))
    if x.min() == x.max():
        return m, m, m
    h = sps.t.ppf(0.975, x.size - 1) * np.std(x, ddof=1) / np.sqrt(x.size)
    return m, max(m - h, lower), m + h


def _number(text):
    return float(text.replace(",", ""))


def test_report_money_section_shows_the_ledgers_as_h5py_reads_them(sim_money, tmp_path):
    payers, status, kpis, balance = _h5(sim_money)
    ok = status == 0
    assert ok.sum() >= 2
    out = tmp_path / "r"
    assert cli.main(["report", str(sim_money), "-o", str(out)]) == 0
    html = out / "report.html"
    text = html.read_text(encoding="utf-8")
    assert '<section id="money">' in text
    assert text.index('<section id="binds">') < text.index('<section id="money">') \
        < text.index('<section id="kpis">')
    assert "Student t" in text[text.index('<section id="money">'):]
    header, rows = helpers.html_table(html, id="table-payers")
    assert header[:2] == ["payer", "runs"]
    cols = [k for k in PAYER_KPIS if any(k in h for h in header)]
    assert cols == list(PAYER_KPIS)
    assert [r[0] for r in rows] == payers
    lower = {"payer_" + k.name: k.lower for k in stats.PAYER_KPIS}
    for j, row in enumerate(rows):
        assert row[1] == str(int(ok.sum()))
        for k, cell in zip(cols, row[2:]):
            mean, lo, hi = _interval(kpis[k][ok, j], lower[k])
            v, clo, chi, _ = helpers.split_cell(cell)
            assert v == stats.format_number(mean), (payers[j], k, cell)
            assert _number(clo) == pytest.approx(lo, rel=1e-3, abs=0.5), (payers[j], k, cell)
            assert _number(chi) == pytest.approx(hi, rel=1e-3, abs=0.5), (payers[j], k, cell)
    # the figure: each payer's median balance over the ok runs, in $M, from the first date
    fig = figures_of(html)["money"]
    medians = [t for t in fig["data"] if t["name"] == "median"]
    zeros = [t for t in fig["data"] if t["name"] == "zero balance"]
    assert len(medians) == len(zeros) == len(payers)
    with analysis.load(sim_money) as res:
        first = str(res.dates[0].date())
    for j, t in enumerate(medians):
        assert t["x0"] == first
        want = np.median(balance[ok, :, j].astype(np.float64), axis=0) / 1e6
        np.testing.assert_allclose(t["y"], want, atol=1e-3)
        assert zeros[j]["y"] == [0.0, 0.0]


def test_plot_money_draws_the_balances(sim_money, sim_plain, tmp_path, capsys):
    png = tmp_path / "money.png"
    assert cli.main(["plot", "money", str(sim_money), "-o", str(png)]) == 0
    assert_png_not_blank(png)
    assert cli.main(["plot", "money", str(sim_plain), "-o", str(tmp_path / "none.png")]) == 2
    assert "nothing to draw" in capsys.readouterr().err


@pytest.fixture(scope="module")
def sim_money_sweep(sim_dir):
    """scenarios/sweeps/closure-2024-cost.toml (4 points of closure-2024), 3 replications."""
    out = sim_dir / "money_sweep.h5"
    _run_mss(["sweep", "scenarios/sweeps/closure-2024-cost.toml", "-o", str(out), "--force",
              "--set", "sweep.replications=3"], "this test")
    return out


def test_a_sweep_shows_money_for_one_design_point_only(sim_money_sweep, tmp_path):
    """As What binds: not in the whole sweep's report; with --point P over P's runs alone."""
    payers, status, kpis, _ = _h5(sim_money_sweep)
    with h5py.File(sim_money_sweep, "r") as f:
        point = f["point"][()]
    out = tmp_path / "all"
    assert cli.main(["report", str(sim_money_sweep), "-o", str(out)]) == 0
    assert '<section id="money">' not in (out / "report.html").read_text()
    out = tmp_path / "p2"
    assert cli.main(["report", str(sim_money_sweep), "-o", str(out), "--point", "2"]) == 0
    header, rows = helpers.html_table(out / "report.html", id="table-payers")
    sel = (status == 0) & (point == 2)
    assert [r[0] for r in rows] == payers
    for j, row in enumerate(rows):
        assert row[1] == str(int(sel.sum()))
        cells = dict(zip([k for h in header[2:] for k in PAYER_KPIS if k in h], row[2:]))
        for k in PAYER_KPIS:
            assert helpers.split_cell(cells[k])[0] == stats.format_number(
                float(np.mean(kpis[k][sel, j]))), (payers[j], k)
