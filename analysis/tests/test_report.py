"""report, compare and plot on synthetic files: the files written, the HTML page (one copy
of plotly.js, no address outside the page, the size budget), the statistics tables equal to
the contract's, overwriting refused without --force, --png, and each figure's data."""

import json
import re

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis import cli, planner, report, stats, sweep, web
from analysis.tests import helpers, synthetic
from analysis.tests.conftest import assert_png_not_blank, run_analysis

PLAIN_FILES = {"report.html", "kpis.csv"}


@pytest.fixture(scope="module")
def plain_report(syn_plain, tmp_path_factory):
    out = tmp_path_factory.mktemp("report-plain") / "r"
    run_analysis("report", syn_plain, "-o", out, check=0)
    return out


@pytest.fixture(scope="module")
def sweep_report(syn_sweep, tmp_path_factory):
    out = tmp_path_factory.mktemp("report-sweep") / "r"
    assert cli.main(["report", str(syn_sweep), "-o", str(out), "--sweep"]) == 0
    return out


def figures_of(html_path) -> dict:
    """The figures a report page holds: id -> plotly {data, layout} (the JSON the page
    draws)."""
    text = html_path.read_text(encoding="utf-8")
    m = re.search(r"var figures = (\{.*?\});\n", text, re.S)
    assert m, "no figures in the page"
    return json.loads(m.group(1).replace("<\\/", "</"))


def test_report_writes_one_self_contained_page(plain_report):
    assert {p.name for p in plain_report.iterdir()} == PLAIN_FILES
    html = (plain_report / "report.html").read_bytes()
    assert len(html) < report.MAX_HTML_BYTES
    js = web.plotly_js()
    assert html.count(js[:400]) == 1, "plotly.js must be embedded exactly once"
    text = html.decode("utf-8")
    # Nothing is fetched: no script, link, image or frame with an address.
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", text)
    assert "cdn.plot.ly" not in text.replace(js.decode("utf-8"), "")
    figs = figures_of(plain_report / "report.html")
    assert {"filled", "reach", "contingents", "closures", "regimes", "timelines",
            "kpis"} <= set(figs)
    for fid, f in figs.items():
        assert f["data"], fid
        for t in f["data"]:
            # every date axis of a daily series is a start and a step, not 90 strings
            assert not (isinstance(t.get("x"), list) and len(t["x"]) > 60 and
                        isinstance(t["x"][0], str)), (fid, t.get("name"))


def test_report_kpi_table_equals_the_contract(plain_report, syn_plain):
    with analysis.load(syn_plain) as res:
        want = res.summary()
        start = res.start_date
    assert (plain_report / "kpis.csv").read_text() == stats.csv_text(want)
    helpers.assert_matches_reference(helpers.read_csv_table(plain_report / "kpis.csv"),
                                     helpers.reference_summary(syn_plain), what="kpis.csv")
    header, rows = helpers.html_table(plain_report / "report.html", id="table-kpis")
    assert header == ["KPI", "unit"] + report.STAT_HEADER
    helpers.assert_stat_rows_shown(rows, 2, want, start, what="report.html")
    shown = {r[0]: r for r in rows if r[0] != "date"}
    # days_to_foc: 2 of 6 runs never reach it; gap_person_days has no value there
    assert shown["days_to_foc"][2:4] == ["4/6", "0.6667 [0.3, 0.9032]"]
    assert shown["days_to_foc"][4].endswith(" if reached")
    assert shown["days_to_foc"][-1] == "never"
    assert shown["gap_person_days"][4].endswith(" *")
    assert shown["cost_usd"][4].count(",") >= 6   # 150,189,079 [148,997,472, ...]


def test_existing_report_is_refused_without_force(syn_plain, tmp_path, capsys):
    out = tmp_path / "r"
    assert cli.main(["report", str(syn_plain), "-o", str(out)]) == 0
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    (out / "notes.txt").write_text("mine\n")
    capsys.readouterr()
    assert cli.main(["report", str(syn_plain), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"{out}: holds a report already (report.html); add --force" in err
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.name != "notes.txt"} \
        == before
    assert not list(tmp_path.glob(".r.*"))
    # --force replaces the report, keeps files that are not the report's, and removes the
    # files of the earlier report that this one does not write
    (out / "sensitivity.csv").write_text("stale\n")
    assert cli.main(["report", str(syn_plain), "-o", str(out), "--force"]) == 0
    assert {p.name for p in out.iterdir()} == PLAIN_FILES | {"notes.txt"}
    assert (out / "notes.txt").read_text() == "mine\n"
    # an old Markdown report counts as a report too
    old = tmp_path / "old"
    old.mkdir()
    (old / "report.md").write_text("# old\n")
    assert cli.main(["report", str(syn_plain), "-o", str(old)]) == 2
    assert [p.name for p in old.iterdir()] == ["report.md"]
    # an empty existing directory is filled
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["report", str(syn_plain), "-o", str(empty)]) == 0
    assert {p.name for p in empty.iterdir()} == PLAIN_FILES


def test_png_writes_every_figure(syn_plain, tmp_path):
    out = tmp_path / "r"
    assert cli.main(["report", str(syn_plain), "-o", str(out), "--png"]) == 0
    figs = figures_of(out / "report.html")
    pngs = {p.stem for p in out.glob("*.png")}
    assert pngs == set(figs)
    for p in out.glob("*.png"):
        assert_png_not_blank(p)


def test_sweep_report_has_per_point_sections_and_the_contract_tables(sweep_report, syn_sweep):
    assert {"report.html", "kpis.csv", "kpis_by_point.csv", "contrasts.csv",
            "sensitivity.csv"} == {p.name for p in sweep_report.iterdir()}
    with analysis.load(syn_sweep) as res:
        want = res.summary()
        contrasts = stats.contrast_table(res.runs, 0, res.kpi_names, ok=res.ok,
                                         units=res.kpi_units)
        start, n_factors, n_points = res.start_date, len(res.factors), res.n_points
    for name in ("kpis_by_point.csv", "kpis.csv"):
        assert (sweep_report / name).read_text() == stats.csv_text(want), name
    assert (sweep_report / "contrasts.csv").read_text() == stats.csv_text(contrasts)
    page = sweep_report / "report.html"
    tables = [t for t in helpers.html_tables(page) if t["id"].startswith("table-kpi-")]
    assert [t["id"] for t in tables] == [f"table-kpi-{k}" for k, _ in synthetic.KPI_COLUMNS]
    for t, (kpi, _) in zip(tables, synthetic.KPI_COLUMNS):
        helpers.assert_stat_rows_shown(t["rows"], 1 + n_factors, want[want["kpi"] == kpi],
                                       start, what=kpi)
    header, rows = helpers.html_table(page, id="table-contrasts")
    assert [r[0] for r in rows] == ["1", "2", "3", "4", "5"]
    c = contrasts.set_index(["point", "kpi"])
    col = header.index("cost_usd")
    for r in rows:
        w = c.loc[(int(r[0]), "cost_usd")]
        assert r[col] == stats.contrast_text(w["diff"], w["diff_low"], w["diff_high"])
    # cost_usd grows with tour_days by the same amount in every replication
    assert rows[0][col].endswith(" *") and rows[1][col] == "0 [0, 0]"
    figs = figures_of(page)
    # one curve per design point, never pooled
    lines = [t for t in figs["points_filled"]["data"] if t.get("mode") == "lines"
             and t.get("name", "").startswith("P") and "90%" not in t["name"]]
    assert len(lines) == n_points
    assert {"contrasts", "grid", "response", "points_closures"} <= set(figs)


def test_sensitivity_csv_names_its_intervals_by_method(sweep_report, syn_sweep):
    t = pd.read_csv(sweep_report / "sensitivity.csv")
    assert list(t.columns) == sweep.EFFECT_COLUMNS
    top = t[(t["kpi"] == "days_to_ioc") & (t["rank"] == 1)].iloc[0]
    assert top["factor"] == "aircraft.B787-charter.count" and top["src"] < 0
    assert top["distinguishable_from_0"]
    assert (t.loc[t["kpi"] == "killed", "note"] == "the KPI takes one value in every run").all()


def test_effects_equal_the_correlation_on_a_grid_and_cluster_by_replication(syn_sweep):
    with analysis.load(syn_sweep) as res:
        e = sweep.effects(res, "days_to_ioc")
        x = res.factor_values.loc[res.runs["point"], res.factors]
        y = res.runs["days_to_ioc"].to_numpy()
        c = sweep.effects(res, "cost_usd")
    rows = {r["factor"]: r for r in e["rows"]}
    for f in res.factors:   # orthogonal (grid) design: SRC = Pearson correlation
        assert rows[f]["src"] == pytest.approx(np.corrcoef(x[f].to_numpy(), y)[0, 1], abs=1e-9)
        for m in sweep.CLUSTERS:
            assert rows[f][f"ci_low_cluster_{m}"] <= rows[f]["src"] <= \
                rows[f][f"ci_high_cluster_{m}"]
    assert 0 <= e["r2"] <= 1
    # cost_usd = 1.5e8 + 1e4 · tour_days + a replication effect common to every point: within
    # each replication the factor's effect is exact, so with the replications as clusters the
    # interval is (nearly) a point
    tour = {r["factor"]: r for r in c["rows"]}["contingent.Kenya.tour_days"]
    assert tour["ci_high_cluster_replication"] - tour["ci_low_cluster_replication"] < \
        1e-6 * abs(tour["src"])


def test_report_of_one_design_point(syn_sweep, tmp_path):
    out = tmp_path / "p2"
    assert cli.main(["report", str(syn_sweep), "-o", str(out), "--point", "2"]) == 0
    with analysis.load(syn_sweep) as res:
        want = res.summary(points=[2])
        start = res.start_date
    assert (out / "kpis.csv").read_text() == stats.csv_text(want)
    header, rows = helpers.html_table(out / "report.html", id="table-kpis")
    helpers.assert_stat_rows_shown(rows, 2, want, start, what="point 2")
    assert {p.name for p in out.iterdir()} == PLAIN_FILES
    assert "Design point 2" in (out / "report.html").read_text()


def test_a_sweep_without_its_sweep_sections_needs_a_point(syn_sweep, tmp_path, capsys):
    assert cli.main(["report", str(syn_sweep), "-o", str(tmp_path / "x"), "--no-sweep"]) == 2
    assert "--point" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_report_without_violence_events_or_with_failed_runs(tmp_path):
    path = synthetic.write(tmp_path / "x.h5", violence=False, events=False, failed_runs=(0, 3))
    out = tmp_path / "r"
    assert cli.main(["report", str(path), "-o", str(out)]) == 0
    _, rows = helpers.html_table(out / "report.html", id="table-kpis")
    shown = {r[0]: r for r in rows if r[0] != "date"}
    assert shown["pax_in"][2] == "4/4"   # failed runs left out
    text = (out / "report.html").read_text()
    assert "Violence is off in this scenario." in text
    figs = figures_of(out / "report.html")
    assert "regimes" not in figs


# ------------------------------------------------------------------------------------------
# The figures' data (synthetic files; the simulator's in test_figures.py)

def test_filled_fan_is_the_percentiles_of_filled_billets(syn_plain):
    with analysis.load(syn_plain) as res:
        v = planner.View(res)
        fig = planner.filled_figure(v)
        filled = res.series["filled"].values[res.ok].sum(axis=2)
    q = fig.data["quantiles"]
    np.testing.assert_allclose(q, np.quantile(filled, planner.FAN, axis=0))
    p = fig.panel("Filled billets, all contingents")
    # y range from the bands and authorised strength, not from the largest run
    assert p.y.range[1] <= max(q[4].max(), 1350) * 1.07
    assert p.y.fmt == "count"
    assert [h.value for h in p.hlines][:1] == [1350]
    assert any(h.label.startswith("floor") and h.value == pytest.approx(1215) for h in p.hlines)


def test_shortfall_shading_sums_to_the_mean_gap(tmp_path):
    # a closure in the middle dents filled billets below the floor after FOC
    path = synthetic.write(tmp_path / "g.h5", days=160, scheduled_closure_h=(110 * 24, 125 * 24))
    with analysis.load(path) as res:
        v = planner.View(res)
        short, below, n = planner.shortfall_below_floor(v)
        gap = res.runs["gap_person_days"].to_numpy()
        foc = res.runs["days_to_foc"].to_numpy()
    assert n == np.isfinite(foc).sum() > 0
    assert short.sum() == pytest.approx(np.nanmean(gap), rel=1e-9)
    assert short.sum() > 0 and (below >= 0).all() and (below <= 1).all()


def test_reach_curve_counts_runs_by_date_with_wilson_bands(syn_plain):
    with analysis.load(syn_plain) as res:
        v = planner.View(res)
        fig = planner.reach_figure(v)
        foc = v.kpi("days_to_foc")
    d = fig.data["days_to_foc"]
    k = d["reached_by_day"]
    for day in (0, 30, 60, 89):
        assert k[day] == (foc <= day).sum()
    assert k[-1] == 4 and d["share"][-1] == pytest.approx(4 / 6)
    lo, hi = stats.wilson(4, 6)
    assert (d["low"][-1], d["high"][-1]) == pytest.approx((lo, hi))
    assert d["low"][0] == 0.0 or k[0] > 0


def test_closures_by_class_from_the_series_with_a_ban_apart(tmp_path):
    # closed to all classes days 20-31, a ban on commercial operators days 8-17
    path = synthetic.write(tmp_path / "c.h5", days=90, scheduled_closure_h=(20 * 24, 32 * 24),
                           ban_h=(8 * 24, 18 * 24))
    with analysis.load(path) as res:
        v = planner.View(res)
        fig = planner.closure_figure(v)
        kpi = res.runs["airport_closed_days"].to_numpy()
    main = fig.data["main"]
    assert main["closed to all classes"] == pytest.approx(kpi.mean(), rel=1e-6)
    assert main["ban on commercial"] == pytest.approx(10.0)
    allday = fig.data["main_all_by_day"]
    assert (allday[20:32] == 1).all() and not allday[8:18].any()
    assert (fig.data["ban_by_day"]["ban on commercial"][8:18] == 1).all()
    # the ban is not drawn as closed on the filled-billets chart either
    strip = planner.filled_figure(v).data["closure_rows"]
    assert strip["closed to all classes"] == pytest.approx(kpi.mean(), rel=1e-6)
    assert strip["ban on commercial"] == pytest.approx(10.0)


def test_constant_kpis_are_listed_not_plotted(syn_plain):
    with analysis.load(syn_plain) as res:
        v = planner.View(res)
        fig, constant = planner.kpi_distributions(v)
        runs = res.runs[res.ok]
    names = [k for k, _ in constant]
    for k in res.kpi_names:
        vals = runs[k].dropna()
        if vals.empty or vals.min() == vals.max():
            assert k in names, k
            assert k not in fig.data
        else:
            assert k in fig.data and k not in names, k
            assert fig.data[k]["counts"].sum() == len(vals)
    assert "killed" in names and any("= 0" in text for k, text in constant if k == "killed")


def test_count_axes_have_integer_ticks_and_money_one_format(syn_plain):
    with analysis.load(syn_plain) as res:
        fig, _ = planner.kpi_distributions(planner.View(res))
    d = web.figure_dict(fig)
    for p in fig.panels:
        assert "." not in p.title or p.title.endswith("."), p.title   # no dotted keys
    axes = [v for k, v in d["layout"].items() if k.startswith("yaxis")]
    assert all(a["tickformat"] == ",d" and float(a["dtick"]).is_integer() and a["dtick"] >= 1
               for a in axes)   # runs are counted
    money = [v for k, v in d["layout"].items() if k.startswith("xaxis")
             and v.get("tickprefix") == "$"]
    assert money and all(a["ticksuffix"] == "M" for a in money)


def test_timeline_says_when_events_are_off(tmp_path):
    path = synthetic.write(tmp_path / "e.h5", events=False)
    with analysis.load(path) as res:
        toml = res.scenario_toml + "\n[output]\nevents = false\n"
    import h5py
    with h5py.File(path, "a") as f:
        f["scenario"].attrs["toml"] = toml
    out = tmp_path / "r"
    assert cli.main(["report", str(path), "-o", str(out)]) == 0
    assert "Events are switched off" in (out / "report.html").read_text()


def test_events_of_a_few_runs_equal_the_whole_table(syn_plain):
    with analysis.load(syn_plain) as res:
        ev = res.events
        part = res.events_of([1, 4])
    want = ev[ev["run"].isin([1, 4])].reset_index(drop=True)
    pd.testing.assert_frame_equal(part, want)


# ------------------------------------------------------------------------------------------
# compare

def test_compare_of_a_file_with_itself_gives_zero_differences(syn_plain, tmp_path):
    out = tmp_path / "c"
    p = run_analysis("compare", syn_plain, syn_plain, "-o", out, "--csv", check=0)
    assert {f.name for f in out.iterdir()} == {"compare.csv", "compare.html"}
    assert p.stdout == (out / "compare.csv").read_text()
    t = helpers.read_csv_table(out / "compare.csv")
    assert list(t.columns) == stats.COMPARE_CSV_COLUMNS
    assert (t[["diff", "diff_low", "diff_high"]] == 0).all().all()
    foc = t.set_index("kpi").loc["days_to_foc"]
    assert (foc["pairs"], foc["reached_pairs"]) == (4, 6)
    header, rows = helpers.html_table(out / "compare.html", first=report.COMPARE_HEADER)
    assert header == report.COMPARE_HEADER
    by = {r[0]: r for r in rows}
    assert by["days_to_foc: reached"][2:] == ["6/6", "0.6667", "0.6667", "0 [0, 0]"]
    assert by["days_to_foc: day if both reached"][2:] == ["4/6", "63.75", "63.75", "0 [0, 0]"]
    figs = figures_of(out / "compare.html")
    diff = [t for t in figs["compare_diff"]["data"] if t.get("name") ==
            "mean paired difference B − A"][0]
    assert set(diff["y"]) == {0.0}
    printed = run_analysis("compare", syn_plain, syn_plain, check=0).stdout
    assert "design point 0: 6 pairs of ok runs" in printed and "150,189,079" in printed


def test_compare_difference_over_time_is_the_paired_mean_with_its_band(tmp_path):
    a = synthetic.write(tmp_path / "a.h5", replications=6)
    b = synthetic.write(tmp_path / "b.h5", replications=6, seed=8)
    from analysis import comparison
    with analysis.load(a) as ra, analysis.load(b) as rb:
        pairs, _ = stats.match_runs(ra, rb)
        figs = {f.id: f for f in comparison.compare_figures(ra, rb, pairs)}
        fa = ra.series["filled"].values.sum(axis=2)
        fb = rb.series["filled"].values.sum(axis=2)
    mean, lo, hi = figs["compare_diff"].data["diff"][0]
    d = fb - fa
    np.testing.assert_allclose(mean, d.mean(axis=0))
    day = 40
    ci = stats._paired_ci(fb[:, day], fa[:, day], -np.inf, np.inf)
    assert (lo[day], hi[day]) == pytest.approx(ci[1:], rel=1e-9)
    assert figs["compare_filled"].data["pairs"] == {0: 6}


def test_compare_reports_a_shift_and_partial_matches(tmp_path):
    a = synthetic.write(tmp_path / "a.h5", replications=6)
    b = synthetic.write(tmp_path / "b.h5", replications=4, kpi_shift={"injured": 3.0,
                                                                     "pax_in": 2.0})
    assert cli.main(["compare", str(a), str(b), "-o", str(tmp_path / "c")]) == 0
    t = helpers.read_csv_table(tmp_path / "c" / "compare.csv").set_index("kpi")
    assert (t.loc["injured", "diff"], t.loc["injured", "pairs"]) == (3.0, 4)
    assert (t.loc["injured", "diff_low"], t.loc["injured", "diff_high"]) == (3.0, 3.0)
    text = (tmp_path / "c" / "compare.html").read_text()
    assert "2 runs of A and 0 of B have no partner" in text
    assert cli.main(["compare", str(a), str(b), "-o", str(tmp_path / "c")]) == 2
    assert cli.main(["compare", str(a), str(b), "-o", str(tmp_path / "c"), "--force"]) == 0


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


# ------------------------------------------------------------------------------------------
# plot and summary

def test_plot_command_draws_a_figure_of_the_report(syn_plain, syn_sweep, tmp_path):
    out = tmp_path / "img" / "filled.png"
    run_analysis("plot", "filled", syn_plain, "-o", out, check=0)
    assert_png_not_blank(out)
    out = tmp_path / "contrasts.png"
    assert cli.main(["plot", "contrasts", str(syn_sweep), "-o", str(out)]) == 0
    assert_png_not_blank(out)
    assert cli.main(["plot", "filled", str(syn_sweep), "--point", "1", "-o",
                     str(tmp_path / "p1.png")]) == 0


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
    with analysis.load(path) as res:
        a = res.authorised(res.runs_of_point(3))
        assert a.billets == {"Kenya": 2000, "Jamaica": 200, "Bahamas": 150}
        assert (a.total, a.floor_frac, a.floor) == (2350, 0.8, pytest.approx(1880.0))
        pooled = res.authorised()
        assert pooled.billets is None and pooled.floor is None
        assert "contingent.Kenya.billets" in pooled.note
        fig = planner.filled_figure(planner.View(res, res.runs_of_point(3)))
        values = [h.value for h in fig.panels[0].hlines]
        assert 2350 in values and pytest.approx(1880.0) in values
        pf = sweep.points_filled_figure(res, sweep.point_views(res))
        assert not pf.panels[0].hlines   # the points disagree: no line rather than a wrong one
    out = tmp_path / "r3"
    assert cli.main(["report", str(path), "-o", str(out), "--point", "3"]) == 0
    text = (out / "report.html").read_text()
    assert "authorised strength: 2,350 billets" in text


def test_report_says_what_binds_as_the_contract(sim_plain, tmp_path):
    run_analysis("report", sim_plain, "-o", tmp_path / "r", check=0)
    with analysis.load(sim_plain) as res:
        want = stats.binding_table(res.runs, ok=res.ok)
    header, rows = helpers.html_table(tmp_path / "r" / "report.html", id="table-binds")
    assert header == ["constraint", "binds in", "share [95% CI]", "mean per run"]
    assert [r[0] for r in rows] == list(want["constraint"])
    assert [r[1] for r in rows] == [f"{b}/{n}" for b, n in zip(want["binds"], want["runs"])]
    assert sum(int(r[1].split("/")[0]) for r in rows) == int(want["runs"].iloc[0])
