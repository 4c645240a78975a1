"""Each figure's data on small files the simulator writes (not pixels): the closures of
closure-2024 by operator class, per-point curves and the grid of fleet-vs-tour, the
hypercube's smoother and effect ranking, the sample runs' events, and the report's pages."""

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis import cli, planner, stats, sweep, web
from analysis.tests import helpers
from analysis.tests.test_report import figures_of


def test_closure_2024_all_class_closure_is_30_days_and_the_ban_is_apart(sim_closure, tmp_path):
    """PAP closed to every class 11 Nov - 11 Dec 2024 (30 days, the KPI), the ban on
    commercial operators to 7 Mar 2026 drawn apart and never as closed."""
    with analysis.load(sim_closure) as res:
        kpi = res.runs["airport_closed_days"].to_numpy()
        v = planner.View(res)
        fig = planner.closure_figure(v)
        strip = planner.filled_figure(v).data["closure_rows"]
        dates = res.day_dates
    assert (kpi == 30).all()
    main = fig.data["main"]
    assert main["closed to all classes"] == pytest.approx(30.0)
    assert main["ban on commercial"] == pytest.approx(481.0 - 30.0)
    assert set(main) == {"closed to all classes", "ban on commercial"}  # charter, military fly
    allday = fig.data["main_all_by_day"]
    shut = dates[allday > 0]
    assert (shut[0], shut[-1]) == (np.datetime64("2024-11-11"), np.datetime64("2024-12-10"))
    ban = fig.data["ban_by_day"]["ban on commercial"]
    banned = dates[ban > 0]
    assert banned[0] == np.datetime64("2024-12-11") and banned[-1] == np.datetime64("2026-03-06")
    assert not (ban * allday).any()   # a day is one or the other, never both
    assert strip == main
    # the page says it in words, with the KPI
    out = tmp_path / "r"
    assert cli.main(["report", str(sim_closure), "-o", str(out)]) == 0
    text = (out / "report.html").read_text()
    assert "gives 30 days per run on average" in text and "ban on commercial: 451 days" in text
    figs = figures_of(out / "report.html")
    areas = {t["name"]: t for t in figs["closures"]["data"] if t.get("stackgroup")}
    assert set(areas) == {"closed to all classes", "ban on commercial"}
    assert sum(areas["closed to all classes"]["y"]) == pytest.approx(30)
    assert sum(areas["ban on commercial"]["y"]) == pytest.approx(451)


def test_reach_and_fan_of_closure_2024(sim_closure):
    with analysis.load(sim_closure) as res:
        v = planner.View(res)
        reach = planner.reach_figure(v)
        fill = planner.filled_figure(v)
        foc = res.runs["days_to_foc"].to_numpy()
        t = res.summary().set_index("kpi")
    k = reach.data["days_to_foc"]["reached_by_day"]
    assert k[-1] == np.isfinite(foc).sum()
    assert k[int(np.nanmax(foc))] == k[-1] and k[int(np.nanmin(foc)) - 1] == 0
    # FOC's median date is the table's P50 as a date
    assert fill.data["marks"]["days_to_foc"]["p50"] == \
        v.start + np.timedelta64(int(t.loc["days_to_foc", "p50"]), "D")
    p = fill.panels[0]
    assert p.y.range[1] <= max(fill.data["quantiles"][4].max(), 1021) * 1.07


def test_sample_runs_show_their_events_per_day(sim_plain):
    with analysis.load(sim_plain) as res:
        v = planner.View(res)
        fig = planner.timeline_figure(v)
        ev = res.events
    assert len(fig.data["runs"]) == 3
    for rid in fig.data["runs"]:
        mine = ev[ev["run"] == rid]
        per = fig.data["events"][rid]
        assert per["personnel landed in Haiti"].sum() == mine.loc[mine["kind"] == "landed",
                                                                    "count"].sum()
        assert per["reliefs requested (rotations)"].sum() == (mine["kind"] ==
                                                              "relief_requested").sum()
    assert fig.data["events_on"]


def test_capped_events_are_said(sim_capped, tmp_path):
    out = tmp_path / "r"
    assert cli.main(["report", str(sim_capped), "-o", str(out)]) == 0
    text = (out / "report.html").read_text()
    with analysis.load(sim_capped) as res:
        dropped = res.runs["events_dropped"].to_numpy()
        v = planner.View(res)
        shown = planner.timeline_figure(v).data["dropped"]
    assert dropped.sum() > 0
    if any(shown.values()):
        assert "Events are capped" in text
    # no run reached FOC in 200 days: no dip after FOC, said in words
    assert "No run reached FOC" in text


def test_fleet_vs_tour_has_per_point_curves_a_grid_and_cost(sim_sweep):
    with analysis.load(sim_sweep) as res:
        views = sweep.point_views(res)
        pf = sweep.points_filled_figure(res, views)
        table = res.summary()
        grid = sweep.grid_figure(res, table)
        cost = sweep.cost_figure(res, table)
        ref, ct = sweep.reference_contrasts(res)
        contr = sweep.contrasts_figure(res, ct, ref)
        filled = res.series_values("filled").sum(axis=2)
        runs = res.runs
    assert set(pf.data["quantiles"]) == {0, 1, 2, 3}
    for p, q in pf.data["quantiles"].items():   # each point its own runs, never pooled
        mine = filled[(runs["point"] == p).to_numpy() & res.ok]
        np.testing.assert_allclose(q[2], np.median(mine, axis=0))
    assert len([t for t in pf.panels[0].traces if t.kind == "line"]) == 4
    # the grid: 2 tour lengths x 2 fleets, cells the table's means
    assert grid.data["factors"] == ("aircraft.B787-charter.count", "contingent.Kenya.tour_days")
    t = table.set_index(["kpi", "point"])
    z = grid.data["means"]["cost_usd"]
    fv = res.factor_values
    for p in range(4):
        i = grid.data["y"].index(fv.loc[p, "contingent.Kenya.tour_days"])
        j = grid.data["x"].index(fv.loc[p, "aircraft.B787-charter.count"])
        assert z[i, j] == t.loc[("cost_usd", p), "mean"]
    assert set(cost.data["mean_filled_frac"]) == {0, 1, 2, 3}
    d = contr.data[("cost_usd", "diff")]
    want = ct[ct["kpi"] == "cost_usd"].sort_values("point")
    np.testing.assert_array_equal(d["diff"], want["diff"].to_numpy())
    assert list(d["excludes_zero"]) == [stats.excludes_zero(a, b) for a, b in
                                        zip(want["diff_low"], want["diff_high"])]


def test_hypercube_has_a_smoother_and_an_effect_ranking(sim_lhs, tmp_path):
    with analysis.load(sim_lhs) as res:
        table = res.summary()
        resp = sweep.response_figure(res, table)
        eff = sweep.effects_table(res)
        assert sweep.grid_figure(res, table) is None   # not a grid
        fig = sweep.effects_figure(res, eff)
        n_points = res.n_points
    assert len(resp.panels) == 5 * 3
    entry = resp.data[("min_filled_frac", "violence.regime.violent.closure_days.median")]
    assert len(entry["points"]) == n_points and "lowess" in entry
    lw = entry["lowess"]
    assert (np.diff(lw[:, 0]) >= 0).all()   # sorted by the factor
    assert lw[:, 1].min() >= entry["mean"].min() - 0.05
    # the ranking: every factor of every KPI with an interval, or a note saying why not
    for k, sub in eff.groupby("kpi"):
        if sub["factor"].isna().all():
            assert sub["note"].iloc[0], k
        else:
            assert sorted(sub["rank"]) == [1, 2, 3]
            assert sub["ci_low_cluster_point"].notna().all(), k
            srt = sub.sort_values("rank")
            assert (np.diff(np.abs(srt["src"].to_numpy())) <= 1e-12).all()
            assert list(srt["distinguishable_from_0"]) == [
                bool(stats.excludes_zero(a, b)) for a, b in
                zip(srt["ci_low_cluster_point"], srt["ci_high_cluster_point"])]
    assert set(fig.data) <= set(sweep.SWEEP_KPIS)
    out = tmp_path / "r"
    assert cli.main(["report", str(sim_lhs), "-o", str(out)]) == 0
    text = (out / "report.html").read_text()
    assert "cannot be told from zero" in text
    s = pd.read_csv(out / "sensitivity.csv")
    assert {"ci_low_cluster_point", "ci_high_cluster_replication"} <= set(s.columns)
    header, rows = helpers.html_table(out / "report.html", id="table-effects")
    assert header[0] == "KPI" and len(rows) == len(set(s["kpi"]))


def test_statsmodels_cluster_intervals_match_the_cr1_sandwich(sim_lhs):
    """The effect intervals are statsmodels' CR1 cluster-robust ones with t(G - 1): checked
    against the sandwich written out."""
    from analysis.stats import t975
    with analysis.load(sim_lhs) as res:
        e = sweep.effects(res, "min_filled_frac")
        runs = res.runs[res.ok]
        factors = sweep.varying(res)
        X = res.factor_values.loc[runs["point"], factors].to_numpy(float)
        y = runs["min_filled_frac"].to_numpy(float)
    keep = np.isfinite(y)
    X, y, g = X[keep], y[keep], runs["point"].to_numpy()[keep]
    Z = (X - X.mean(0)) / X.std(0, ddof=1)
    zy = (y - y.mean()) / y.std(ddof=1)
    D = np.column_stack([np.ones(len(zy)), Z])
    beta = np.linalg.lstsq(D, zy, rcond=None)[0]
    resid = zy - D @ beta
    keys, inv = np.unique(g, return_inverse=True)
    G = len(keys)
    scores = np.zeros((G, D.shape[1]))
    np.add.at(scores, inv, D * resid[:, None])
    bread = np.linalg.inv(D.T @ D)
    cov = G / (G - 1) * (len(zy) - 1) / (len(zy) - D.shape[1]) * bread @ scores.T @ scores @ bread
    se = np.sqrt(np.diag(cov))
    rows = {r["factor"]: r for r in e["rows"]}
    for j, f in enumerate(factors):
        assert rows[f]["src"] == pytest.approx(beta[j + 1], abs=1e-12)
        half = t975(G - 1) * se[j + 1]
        assert rows[f]["ci_low_cluster_point"] == pytest.approx(beta[j + 1] - half, rel=1e-7)
        assert rows[f]["ci_high_cluster_point"] == pytest.approx(beta[j + 1] + half, rel=1e-7)


def test_every_figure_is_valid_plotly_json(sim_sweep, sim_closure):
    import json
    for path in (sim_sweep, sim_closure):
        with analysis.load(path) as res:
            if res.is_sweep:
                secs, _ = sweep.sweep_sections(res, res.summary())
            else:
                from analysis import report
                secs = report.plain_sections(planner.View(res), res.summary())
            for s in secs:
                for f in s.figures():
                    d = json.loads(web.figure_json(f))
                    for t in d["data"]:
                        assert t["type"] in ("scatter", "bar", "heatmap"), (f.id, t["type"])
                    # date axes show years
                    for k, a in d["layout"].items():
                        if k.startswith("xaxis") and a.get("type") == "date":
                            assert "%Y" in a["tickformat"], (f.id, k)
