"""report, compare and plot on synthetic files: every file written, plots not blank and of
their fixed size, numbers in report.md equal to those in the file."""

import io

import matplotlib.image as mpimg
import pandas as pd
import pytest

import analysis
from analysis import cli, plots, stats
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


def test_report_kpi_table_equals_the_file(plain_report, syn_plain):
    want = helpers.reference_summary(syn_plain)
    shown = helpers.md_kpi_table(plain_report / "report.md")
    assert list(shown["kpi"]) == list(want["kpi"])
    assert list(shown["n"]) == list(want["n"]) and list(shown["runs"]) == list(want["runs"])
    for col in ("mean", "sd", "ci95_low", "ci95_high", "min", "max"):
        for kpi, s, w in zip(want["kpi"], shown[col], want[col]):
            assert helpers.shown_equal(s, w), f"{kpi} {col}: report shows {s}, file gives {w}"
    csv = helpers.read_summary_csv(plain_report / "kpis.csv")
    helpers.assert_tables_close(csv, want, rel=1e-12, what="kpis.csv")


def test_report_text_names_the_floor_and_main_airport(plain_report):
    md = (plain_report / "report.md").read_text()
    assert "1215 on duty" in md and "main airport** | PAP" in md
    assert "![Strength in theatre](strength.png)" in md


def test_sweep_report_has_response_curves_and_a_named_sensitivity_method(sweep_report,
                                                                         syn_sweep):
    for name in PLAIN_FILES + ["sensitivity.png", "sensitivity.csv", "kpis_by_point.csv"]:
        assert (sweep_report / name).exists(), name
    for k, _ in synthetic.KPI_COLUMNS:
        assert_png_not_blank(sweep_report / f"sweep_{k}.png")
    assert_png_not_blank(sweep_report / "sensitivity.png")
    md = (sweep_report / "report.md").read_text()
    assert "standardised regression coefficients (SRC)" in md
    by_point = helpers.read_summary_csv(sweep_report / "kpis_by_point.csv")
    helpers.assert_tables_close(by_point, helpers.reference_summary(syn_sweep, by_point=True),
                                what="kpis_by_point.csv")
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
    shown = helpers.md_kpi_table(tmp_path / "report.md")
    assert (shown["runs"] == 5).all()
    assert not (tmp_path / "sensitivity.png").exists()
    assert "design point 2" in (tmp_path / "report.md").read_text()


def test_report_without_violence_events_or_with_failed_runs(tmp_path):
    path = synthetic.write(tmp_path / "x.h5", violence=False, events=False, failed_runs=(0, 3))
    out = tmp_path / "r"
    assert cli.main(["report", str(path), "-o", str(out)]) == 0
    for png in out.glob("*.png"):
        assert_png_not_blank(png)
    shown = helpers.md_kpi_table(out / "report.md").set_index("kpi")
    assert shown.loc["pax_in", "n"] == 4 and shown.loc["pax_in", "runs"] == 6


def test_compare_of_a_file_with_itself_gives_zero_differences(syn_plain, tmp_path):
    p = run_analysis("compare", syn_plain, syn_plain, "-o", tmp_path, "--csv", check=0)
    for f in ("compare.csv", "compare.md", "compare.png"):
        assert (tmp_path / f).exists()
    assert_png_not_blank(tmp_path / "compare.png")
    t = pd.read_csv(tmp_path / "compare.csv")
    has = t["n"] > 0
    assert has.sum() == len(synthetic.KPI_COLUMNS)
    assert (t.loc[has, ["mean_diff", "sd_diff", "ci95_low", "ci95_high", "min_diff",
                        "max_diff"]] == 0).all().all()
    assert (t["only_a"] == 0).all() and (t["only_b"] == 0).all()
    printed = pd.read_csv(io.StringIO(p.stdout))
    assert (printed.loc[printed["n"] > 0, "mean_diff"] == 0).all()


def test_compare_reports_a_shift_and_partial_matches(tmp_path):
    a = synthetic.write(tmp_path / "a.h5", replications=6)
    b = synthetic.write(tmp_path / "b.h5", replications=4, kpi_shift={"injured": 3.0})
    assert cli.main(["compare", str(a), str(b), "-o", str(tmp_path / "c")]) == 0
    t = pd.read_csv(tmp_path / "c" / "compare.csv").set_index("kpi")
    assert t.loc["injured", "mean_diff"] == 3.0 and t.loc["injured", "pairs"] == 4
    md = (tmp_path / "c" / "compare.md").read_text()
    assert "2 runs of A and 0 of B have no partner" in md


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
    assert "1880 on duty (kpis.floor_frac = 0.8 × total billets)" in md
    assert "Kenya (2000)" in md and "0.8 × 2,350 = 1880" in md
    out = tmp_path / "all"
    assert cli.main(["report", str(path), "-o", str(out)]) == 0
    md = (out / "report.md").read_text()
    assert "1,350 billets" not in md and "1215" not in md
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
