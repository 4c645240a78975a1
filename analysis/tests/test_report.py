"""report, compare and plot on synthetic files: every file written, plots not blank and of
their fixed size, numbers in report.md equal to those in the file."""

import matplotlib.image as mpimg
import pandas as pd
import pytest

import analysis
from analysis import cli, plots, report, stats
from analysis.tests import helpers, synthetic
from analysis.tests.conftest import assert_png_not_blank, run_analysis

PLAIN_FILES = ["strength.png", "airport.png", "kpis.png", "kpis.csv", "report.md"]


@pytest.fixture(scope="module")
def plain_report(syn_plain, tmp_path_factory):
    out = tmp_path_factory.mktemp("report-plain")
    run_analysis("report", syn_plain, "-o", out, check=0)
    return out


@pytest.fixture(scope="module")
def sweep_report(syn_sweep, tmp_path_factory):
    out = tmp_path_factory.mktemp("report-sweep")
    assert cli.main(["report", str(syn_sweep), "-o", str(out), "--sweep"]) == 0
    return out


def test_report_writes_every_file_and_no_plot_is_blank(plain_report):
    for name in PLAIN_FILES:
        assert (plain_report / name).exists(), name
    for png in plain_report.glob("*.png"):
        assert_png_not_blank(png)
    assert not list(plain_report.glob("sweep_*.png"))


def _kpi_table(md_path):
    """The per-KPI table of a report.md (header, rows)."""
    return helpers.md_table(md_path, ["KPI", "unit", "n/runs"])


def test_report_kpi_table_equals_the_file(plain_report, syn_plain):
    with analysis.load(syn_plain) as res:
        want = res.summary()
        start = res.start_date
    # kpis.csv is the contract's table, and it has the numbers numpy gives from the file
    assert (plain_report / "kpis.csv").read_text() == stats.csv_text(want)
    helpers.assert_matches_reference(helpers.read_csv_table(plain_report / "kpis.csv"),
                                     helpers.reference_summary(syn_plain), what="kpis.csv")
    header, rows = _kpi_table(plain_report / "report.md")
    assert header == ["KPI", "unit"] + report.STAT_HEADER
    helpers.assert_stat_rows_shown(rows, 2, want, start, what="report.md")
    shown = {r[0]: r for r in rows if r[0] != "date"}
    # days_to_foc: 2 of 6 runs never reach it; gap_person_days has no value there
    assert shown["`days_to_foc`"][2:4] == ["4/6", "0.6667 [0.3, 0.9032]"]
    assert shown["`days_to_foc`"][4].endswith(" if reached")
    assert shown["`days_to_foc`"][-1] == "never"
    assert shown["`gap_person_days`"][4].endswith(" *")
    assert shown["`cost_usd`"][4].count(",") >= 6   # 150,189,079 [148,997,472, ...]


def test_report_text_names_the_floor_and_main_airport(plain_report):
    md = (plain_report / "report.md").read_text()
    assert "1,215 filled billets" in md and "main airport** | PAP" in md
    assert "![Strength in theatre](strength.png)" in md


def test_sweep_report_has_response_curves_and_a_named_sensitivity_method(sweep_report,
                                                                         syn_sweep):
    for name in PLAIN_FILES + ["sensitivity.png", "sensitivity.csv", "kpis_by_point.csv",
                               "contrasts.csv"]:
        assert (sweep_report / name).exists(), name
    for k, _ in synthetic.KPI_COLUMNS:
        assert_png_not_blank(sweep_report / f"sweep_{k}.png")
    assert_png_not_blank(sweep_report / "sensitivity.png")
    md = (sweep_report / "report.md").read_text()
    assert "standardised regression coefficients (SRC)" in md
    with analysis.load(syn_sweep) as res:
        want = res.summary()
        contrasts = stats.contrast_table(res.runs, 0, res.kpi_names, ok=res.ok,
                                         units=res.kpi_units)
        start, n_factors = res.start_date, len(res.factors)
    assert set(want["point"]) == set(range(6))
    for name in ("kpis_by_point.csv", "kpis.csv"):
        assert (sweep_report / name).read_text() == stats.csv_text(want), name
    helpers.assert_matches_reference(want, helpers.reference_summary(syn_sweep),
                                     what="kpis_by_point.csv")
    # a table per KPI, a row per design point
    tables = [t for t in helpers.md_tables(sweep_report / "report.md")
              if t[0][0] == "point" and t[0][-1] == "max"]
    assert len(tables) == len(synthetic.KPI_COLUMNS)
    for (header, rows), (kpi, _) in zip(tables, synthetic.KPI_COLUMNS):
        helpers.assert_stat_rows_shown(rows, 1 + n_factors, want[want["kpi"] == kpi], start,
                                       what=kpi)
    # paired contrasts against point 0: contrasts.csv and a row per other point
    assert (sweep_report / "contrasts.csv").read_text() == stats.csv_text(contrasts)
    assert "### Paired contrasts against design point 0" in md
    header, rows = next(t for t in helpers.md_tables(sweep_report / "report.md")
                        if "pairs" in t[0])
    assert [r[0] for r in rows] == ["1", "2", "3", "4", "5"]
    c = contrasts.set_index(["point", "kpi"])
    col = header.index("`cost_usd`")
    for r in rows:
        w = c.loc[(int(r[0]), "cost_usd")]
        assert r[col] == stats.contrast_text(w["diff"], w["diff_low"], w["diff_high"])
    # cost_usd grows with tour_days by the same amount in every replication: a contrast
    # marked * where tour_days differs from point 0's, 0 [0, 0] where it does not
    assert rows[0][col].endswith(" *") and rows[1][col] == "0 [0, 0]"
    sens = pd.read_csv(sweep_report / "sensitivity.csv")
    top = sens[(sens["kpi"] == "days_to_ioc") & (sens["rank"] == 1)].iloc[0]
    assert top["factor"] == "aircraft.B787-charter.count" and top["src"] < 0


def test_factors_given_as_distributions_are_plotted_by_their_mean(tmp_path):
    tour = [{"dist": "normal", "mean": 182.0, "sd": 10.0, "lower": 150.0, "upper": 220.0},
            {"dist": "normal", "mean": 365.0, "sd": 15.0}]
    path = synthetic.write(tmp_path / "d.h5", replications=4, days=60,
                           factors={"aircraft.B787-charter.count": [1, 2, 3],
                                    "contingent.Kenya.tour_days": tour},
                           points_nan=("contingent.Kenya.tour_days",))
    with analysis.load(path) as res:
        assert res.points["contingent.Kenya.tour_days"].isna().all()
        fv = res.factor_values
        assert list(fv["contingent.Kenya.tour_days"]) == [182.0, 365.0] * 3
        assert list(fv["aircraft.B787-charter.count"]) == [1, 1, 2, 2, 3, 3]
        assert res.factor_labels["contingent.Kenya.tour_days"][365.0] == "normal(mean=365, sd=15)"
        s = stats.sensitivity(res, "days_to_ioc")
        assert not any(v != v for v in s.coef.values())
    out = tmp_path / "r"
    assert cli.main(["report", str(path), "-o", str(out), "--sweep"]) == 0
    assert_png_not_blank(out / "sweep_days_to_ioc.png")
    md = (out / "report.md").read_text()
    assert "normal(mean=182, sd=10, lower=150, upper=220)" in md


def test_report_of_one_design_point(syn_sweep, tmp_path):
    assert cli.main(["report", str(syn_sweep), "-o", str(tmp_path), "--point", "2",
                     "--no-sweep"]) == 0
    with analysis.load(syn_sweep) as res:
        want = res.summary(points=[2])
        start = res.start_date
    assert (tmp_path / "kpis.csv").read_text() == stats.csv_text(want)
    assert set(want["point"]) == {2} and (want["runs"] == 5).all()
    header, rows = _kpi_table(tmp_path / "report.md")
    helpers.assert_stat_rows_shown(rows, 2, want, start, what="point 2")
    assert not (tmp_path / "sensitivity.png").exists()
    assert not (tmp_path / "contrasts.csv").exists()
    assert "design point 2" in (tmp_path / "report.md").read_text()


def test_report_without_violence_events_or_with_failed_runs(tmp_path):
    path = synthetic.write(tmp_path / "x.h5", violence=False, events=False, failed_runs=(0, 3))
    out = tmp_path / "r"
    assert cli.main(["report", str(path), "-o", str(out)]) == 0
    for png in out.glob("*.png"):
        assert_png_not_blank(png)
    _, rows = _kpi_table(out / "report.md")
    shown = {r[0]: r for r in rows if r[0] != "date"}
    # failed runs are left out: 4 ok runs, every one with a value
    assert shown["`pax_in`"][2] == "4/4"
    assert shown["`days_to_ioc`"][3].startswith("1 [")


def test_compare_of_a_file_with_itself_gives_zero_differences(syn_plain, tmp_path):
    p = run_analysis("compare", syn_plain, syn_plain, "-o", tmp_path, "--csv", check=0)
    for f in ("compare.csv", "compare.md", "compare.png"):
        assert (tmp_path / f).exists()
    assert_png_not_blank(tmp_path / "compare.png")
    assert p.stdout == (tmp_path / "compare.csv").read_text()
    t = helpers.read_csv_table(tmp_path / "compare.csv")
    assert list(t.columns) == stats.COMPARE_CSV_COLUMNS
    assert list(t["kpi"]) == [k for k, _ in synthetic.KPI_COLUMNS]
    assert (t[["diff", "diff_low", "diff_high"]] == 0).all().all()
    assert (t["mean_a"] == t["mean_b"]).all()
    foc = t.set_index("kpi").loc["days_to_foc"]
    assert (foc["pairs"], foc["reached_pairs"]) == (4, 6)
    assert foc["reached_a"] == foc["reached_b"] == 4 / 6
    assert (foc["reached_diff"], foc["reached_diff_low"], foc["reached_diff_high"]) == (0, 0, 0)
    md = (tmp_path / "compare.md").read_text()
    assert "| `days_to_foc`: reached | 1 | 6/6 | 0.6667 | 0.6667 | 0 [0, 0] |" in md
    assert "| `days_to_foc`: day if both reached | day | 4/6 | 63.75 | 63.75 | 0 [0, 0] |" in md
    printed = run_analysis("compare", syn_plain, syn_plain, check=0).stdout
    assert "design point 0: 6 pairs of ok runs" in printed
    assert "cost_usd" in printed and "150,189,079" in printed


def test_compare_reports_a_shift_and_partial_matches(tmp_path):
    a = synthetic.write(tmp_path / "a.h5", replications=6)
    b = synthetic.write(tmp_path / "b.h5", replications=4, kpi_shift={"injured": 3.0,
                                                                     "pax_in": 2.0})
    assert cli.main(["compare", str(a), str(b), "-o", str(tmp_path / "c")]) == 0
    t = helpers.read_csv_table(tmp_path / "c" / "compare.csv").set_index("kpi")
    assert (t.loc["injured", "diff"], t.loc["injured", "pairs"]) == (3.0, 4)
    assert (t.loc["injured", "diff_low"], t.loc["injured", "diff_high"]) == (3.0, 3.0)
    assert t.loc["injured", "mean_b"] - t.loc["injured", "mean_a"] == pytest.approx(3.0)
    md = (tmp_path / "c" / "compare.md").read_text()
    assert "2 runs of A and 0 of B have no partner" in md
    assert "| `injured` | 1 | 4/4 |" in md and "| 3 [3, 3] * |" in md


def test_compare_follows_the_paired_contrast_rules(tmp_path):
    """B's runs against A's, replication by replication, are what `contrast_table` gives for
    design point 1 against point 0 of one runs table holding both: the same paired rules."""
    a = synthetic.write(tmp_path / "a.h5", replications=6)
    b = synthetic.write(tmp_path / "b.h5", replications=6, seed=8, failed_runs=(2,),
                        nan_kpi={"days_to_foc": (0, 3), "gap_person_days": (0, 3)})
    with analysis.load(a) as ra, analysis.load(b) as rb:
        pairs, kpis = stats.match_runs(ra, rb)
        got = stats.compare_table(pairs, kpis, ra.kpi_units)
        both = pd.concat([ra.runs.assign(ok=ra.ok), rb.runs.assign(point=1, ok=rb.ok)],
                         ignore_index=True)
    want = stats.contrast_table(both, 0, kpis, ok=both["ok"].to_numpy())
    cols = [c for c in stats.CONTRAST_CSV_COLUMNS if c not in ("point", "reference")]
    pd.testing.assert_frame_equal(got[cols].reset_index(drop=True),
                                  want[cols].reset_index(drop=True))
    foc = got.set_index("kpi").loc["days_to_foc"]
    assert foc["reached_pairs"] == 5   # replication 2 failed in B
    assert foc["reached_b"] == pytest.approx(3 / 5) and foc["reached_a"] == 1.0


def test_figures_have_fixed_sizes(syn_plain, tmp_path):
    with analysis.load(syn_plain) as res:
        for name, fig in [("s", plots.strength_figure(res)),
                          ("t", plots.strength_figure(res, total_only=True)),
                          ("a", plots.airport_figure(res)), ("k", plots.kpi_figure(res))]:
            w, h = (fig.get_size_inches() * plots.DPI).round().astype(int)
            path = plots.save(fig, tmp_path / f"{name}.png")
            img = mpimg.imread(path)
            assert img.shape[:2] == (h, w), name
    assert (w, h) != (0, 0)


def test_plot_command_writes_the_readme_figure(syn_plain, tmp_path):
    out = tmp_path / "img" / "strength.png"
    run_analysis("plot", "strength", syn_plain, "-o", out, "--total-only", check=0)
    assert_png_not_blank(out)
    assert out.stat().st_size < 150_000
    assert mpimg.imread(out).shape[:2] == (440, 1000)


def test_summary_command_prints_per_point_tables_for_a_sweep(syn_sweep, capsys):
    assert cli.main(["summary", str(syn_sweep), "--csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ",".join(stats.SUMMARY_CSV_COLUMNS)
    with analysis.load(syn_sweep) as res:
        assert out == stats.csv_text(stats.summary_table(res.runs, res.kpi_names, ok=res.ok,
                                                         units=res.kpi_units))
        assert len(out.splitlines()) == 1 + res.n_points * len(res.kpi_names)


def test_summary_command_prints_the_summary_csv(syn_plain, capsys):
    assert cli.main(["summary", str(syn_plain), "--csv"]) == 0
    with analysis.load(syn_plain) as res:
        assert capsys.readouterr().out == stats.csv_text(
            stats.summary_table(res.runs, res.kpi_names, ok=res.ok, units=res.kpi_units))
    assert cli.main(["summary", str(syn_plain)]) == 0
    table = capsys.readouterr().out
    assert "days_to_foc" in table and "4/6" in table


BILLET_FACTORS = {"kpis.floor_frac": [0.9, 0.8], "contingent.Kenya.billets": [1000, 2000]}


def test_report_of_a_point_draws_that_points_billets_and_floor(tmp_path):
    """A sweep over billets and floor_frac: `report --point P` gives P's authorised strength
    and floor, not the base scenario's; pooled over points that differ, neither is shown."""
    path = synthetic.write(tmp_path / "bil.h5", factors=BILLET_FACTORS, replications=3, days=40)
    # point 3: Kenya 2000 (+ Jamaica 200 + Bahamas 150 = 2350), floor_frac 0.8 -> 1880
    with analysis.load(path) as res:
        a = res.authorised(res.runs_of_point(3))
        assert a.billets == {"Kenya": 2000, "Jamaica": 200, "Bahamas": 150}
        assert (a.total, a.floor_frac, a.floor) == (2350, 0.8, pytest.approx(1880.0))
        a1 = res.authorised(res.runs_of_point(2))   # floor 0.8, Kenya 1000
        assert (a1.total, a1.floor) == (1350, pytest.approx(1080.0))
        a0 = res.authorised(res.runs_of_point(1))   # floor 0.9, Kenya 2000
        assert (a0.total, a0.floor) == (2350, pytest.approx(2115.0))
        pooled = res.authorised()
        assert pooled.billets is None and pooled.floor is None
        assert "contingent.Kenya.billets" in pooled.note
    out = tmp_path / "r3"
    assert cli.main(["report", str(path), "-o", str(out), "--point", "3"]) == 0
    md = (out / "report.md").read_text()
    assert "| **authorised strength** | 2,350 billets |" in md
    assert "1,880 filled billets (kpis.floor_frac = 0.8 × total billets)" in md
    assert "Kenya (2000)" in md and "0.8 × 2,350 = 1,880" in md
    out = tmp_path / "all"
    assert cli.main(["report", str(path), "-o", str(out)]) == 0
    md = (out / "report.md").read_text()
    assert "1,350 billets" not in md and "1,215" not in md
    assert "| **authorised strength** | not shown: unknown (sweep factor " in md


def test_an_unresolvable_billets_factor_refuses_the_annotation(tmp_path):
    path = synthetic.write(tmp_path / "idx.h5", factors={
        "aircraft.B787-charter.count": [1], "contingent[0].billets": [1000, 2000]},
                           replications=2, days=30)
    with analysis.load(path) as res:
        a = res.authorised(res.runs_of_point(1))
        assert a.billets is None and a.floor is None and a.total is None
        assert "does not resolve" in a.note
        # a factor that does not touch billets leaves the base values
    with analysis.load(synthetic.write(tmp_path / "t.h5", factors={
            "aircraft.B787-charter.count": [1, 2], "contingent.Kenya.tour_days": [180, 365]},
            replications=2, days=30)) as res:
        assert res.authorised().total == 1350 and res.authorised().floor == pytest.approx(1215)
