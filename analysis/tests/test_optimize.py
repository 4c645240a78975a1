"""Files of `mss optimize` (docs/optimize.md; /optimize is laid out in the header comment of
sim/output/optimize_group.hpp): Results.optimize() against what h5py reads, the alternatives'
estimates and intervals recomputed from their runs, the report's Optimisation section, and
files without /optimize as before. The files are written by the simulator ($MSS_BIN) from
tests/cluster/small_optimize.toml."""

from __future__ import annotations

import shutil

import h5py
import numpy as np
import pytest
from markupsafe import escape
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

import analysis
from analysis import cli, stats
from analysis.results import InputError, output_key
from analysis.tests import helpers
from analysis.tests.conftest import _run_mss
from analysis.tests.test_report import figures_of

STRING_VARIABLES = ("label", "fate", "why", "output", "output_kind")


def _text(a):
    return [x.decode() if isinstance(x, bytes) else str(x) for x in a]


@pytest.fixture(scope="module")
def opt(sim_optimize):
    with analysis.load(sim_optimize) as res:
        yield res, res.optimize()


@pytest.fixture(scope="module")
def opt_report(sim_optimize, tmp_path_factory):
    out = tmp_path_factory.mktemp("optimize") / "report"
    assert cli.main(["report", str(sim_optimize), "-o", str(out)]) == 0
    return out / "report.html"


def test_optimize_equals_what_h5py_reads(opt, sim_optimize):
    res, o = opt
    assert res.is_optimize
    with h5py.File(sim_optimize, "r") as f:
        g = f["optimize"]
        for name in ("plan_toml", "identity", "procedure", "status", "summary"):
            want = g.attrs[name]
            assert getattr(o, name) == (want.decode() if isinstance(want, bytes) else want)
        for name in ("confidence", "delta", "rinott_h"):
            assert getattr(o, name) == float(g.attrs[name])
        for name in ("chosen", "runs", "stages", "first_stage", "increment", "budget",
                     "rinott_runs"):
            assert getattr(o, name) == int(g.attrs[name])
        assert o.guarantee == bool(g.attrs["guarantee"])
        a = o.alternatives
        k = g["alternative"].shape[0]
        assert list(a.index) == list(g["alternative"][()]) == list(range(k)) == \
            list(res.points["point"])
        assert list(a["label"]) == _text(g["label"][()])
        assert list(a["fate"]) == _text(g["fate"][()])
        assert list(a["why"]) == _text(g["why"][()])
        assert o.outputs == _text(g["output"][()])
        assert o.output_kind == _text(g["output_kind"][()])
        for name in ("fate_stage", "eliminated_by", "infeasible_constraint", "feasible_stage",
                     "replications"):
            np.testing.assert_array_equal(a[name].to_numpy(), g[name][()], err_msg=name)
        np.testing.assert_array_equal(a["feasible"].to_numpy(), g["feasible"][()] != 0)
        for name in ("estimate", "ci_low", "ci_high"):
            want = g[name][()]
            np.testing.assert_array_equal(getattr(o, name), want)
            for j in range(want.shape[1]):
                np.testing.assert_array_equal(a[f"{output_key(j)}_{name}"], want[:, j])
        for fac in res.factors:   # the decision variables' values, from /design_point
            np.testing.assert_array_equal(a[fac].to_numpy(), f[fac][()])
        np.testing.assert_array_equal(o.stage_history.index, g["stage"][()])
        np.testing.assert_array_equal(o.stage_history["replications"],
                                      g["stage_replications"][()])
        np.testing.assert_array_equal(o.stage_history["runs"], g["stage_runs"][()])
        np.testing.assert_array_equal(o.stage_mean, g["stage_mean"][()])
        np.testing.assert_array_equal(o.run_stage, f["stage"][()])
    assert o.status == "chosen" and o.guarantee and o.chosen >= 0
    assert o.k == 4 and o.output_kind == ["objective", "probability"]
    assert o.threshold(1) == 0.4


def _outputs_of_runs(res, o, i):
    """The procedure's outputs of alternative i's runs, recomputed from the KPIs: the objective
    KPI, and per constraint its 0/1 event (NaN counts as failing) or the KPI."""
    runs = res.runs[res.runs["point"] == i]
    out = [runs[o.objective["kpi"]].to_numpy(np.float64)]
    for c in o.constraints:
        x = runs[c["kpi"]].to_numpy(np.float64)
        if "at_most" in c:
            out.append(np.where(np.isnan(x), 0.0, (x <= c["at_most"]).astype(float)))
        elif "at_least" in c:
            out.append(np.where(np.isnan(x), 0.0, (x >= c["at_least"]).astype(float)))
        else:
            out.append(x)
    return runs, out


def test_alternatives_estimates_are_the_means_of_their_runs(opt):
    res, o = opt
    assert (res.runs["status"] == 0).all()
    a = o.alternatives
    for i in range(o.k):
        runs, outs = _outputs_of_runs(res, o, i)
        assert len(runs) == a.at[i, "replications"]
        assert sorted(runs["replication"]) == list(range(len(runs)))
        for j, x in enumerate(outs):
            key = output_key(j)
            n = x.size
            assert a.at[i, f"{key}_estimate"] == pytest.approx(x.mean(), rel=1e-12)
            if o.output_kind[j] == "probability":   # Wilson
                lo, hi = proportion_confint(int(x.sum()), n, alpha=0.05, method="wilson")
            else:                                   # Student t
                h = sps.t.ppf(0.975, n - 1) * x.std(ddof=1) / np.sqrt(n)
                lo, hi = x.mean() - h, x.mean() + h
            assert a.at[i, f"{key}_ci_low"] == pytest.approx(lo, rel=1e-9), (i, j)
            assert a.at[i, f"{key}_ci_high"] == pytest.approx(hi, rel=1e-9), (i, j)


def test_stage_history_is_the_cumulative_means_of_the_runs_by_stage(opt):
    res, o = opt
    stage = o.run_stage
    assert np.all(np.diff(stage) >= 0)   # (stage, alternative, replication) order
    assert o.stage_history["runs"].iloc[-1] == o.runs == res.n_runs
    for s_i, s in enumerate(o.stage_history.index):
        assert (stage <= s).sum() == o.stage_history.at[s, "runs"]
        for i in range(o.k):
            mask = (res.runs["point"].to_numpy() == i)
            if not (mask & (stage == s)).any():
                assert np.isnan(o.stage_mean[s_i, i]).all()
                continue
            sel = mask & (stage <= s)
            assert sel.sum() == o.stage_history.at[s, "replications"]
            _, outs = _outputs_of_runs(res, o, i)
            upto = (stage[mask] <= s)
            for j, x in enumerate(outs):
                assert o.stage_mean[s_i, i, j] == pytest.approx(x[upto].mean(), rel=1e-12)


def test_runner_up_follows_the_rule_mss_prints(opt):
    _, o = opt
    sign = -1.0 if o.maximise else 1.0
    a = o.alternatives
    feas = [i for i in range(o.k) if i != o.chosen and a.at[i, "feasible"]]
    want = min(feas, key=lambda i: (sign * o.estimate[i, 0], i)) if feas else \
        max((i for i in range(o.k) if i != o.chosen),
            key=lambda i: (a.at[i, "replications"], -i))
    assert o.runner_up == want != o.chosen


def test_report_has_the_optimisation_section_first(opt, opt_report):
    res, o = opt
    text = opt_report.read_text(encoding="utf-8")
    assert '<section id="optimize">' in text
    assert text.index('<section id="optimize">') < text.index('<section id="design">')
    sec = text[text.index('<section id="optimize">'):text.index('<section id="design">')]
    assert "<h2>Optimisation</h2>" in sec or ">Optimisation<" in sec
    # the answer, the guarantee sentence, the runner-up and why it lost
    assert str(escape(f"Choose alternative {o.chosen}")) in sec.replace("<b>", "").replace(
        "</b>", "")
    assert str(escape(o.label(o.chosen))) in sec
    assert str(escape(o.summary.rstrip("."))) in sec
    u = o.runner_up
    assert f"Runner-up: alternative {u}</b>" in sec
    assert str(escape(o.alternatives.at[u, "why"])) in sec
    # runs against Rinott's: both numbers and the ratio
    assert f"{o.runs:,}" in sec and f"<b>{o.rinott_runs:,}</b>" in sec
    assert f"{o.rinott_runs / o.runs:.2f}× the runs used" in sec
    # the chosen plan's estimates with their intervals, and the runner-up's
    header, rows = helpers.html_table(opt_report, id="table-optimize-chosen")
    assert header[0] == "output" and f"alternative {o.chosen}" in header[2]
    for j, row in enumerate(rows[:len(o.outputs)]):
        assert row[0] == o.outputs[j]
        for col, i in ((2, o.chosen), (3, u)):
            assert row[col] == stats.format_interval(o.estimate[i, j], o.ci_low[i, j],
                                                     o.ci_high[i, j])
    # every alternative
    header, rows = helpers.html_table(opt_report, id="table-alternatives")
    assert [r[0] for r in rows] == [str(i) for i in range(o.k)]
    reps = header.index("reps")
    for i, row in enumerate(rows):
        assert row[reps] == str(int(o.alternatives.at[i, "replications"]))
        for j in range(len(o.outputs)):
            assert row[reps + 1 + j] == stats.format_interval(
                o.estimate[i, j], o.ci_low[i, j], o.ci_high[i, j])
        assert row[-1] == o.alternatives.at[i, "why"]
    assert "Wilson" in sec and "Student t" in sec


def test_report_figure_is_cost_against_readiness_by_fate(opt, opt_report):
    res, o = opt
    fig = figures_of(opt_report)["optimize"]
    points = [t for t in fig["data"] if t.get("mode") == "markers" and t["x"] != [None]]
    fates = list(dict.fromkeys(f for f in ("chosen", "worse", "infeasible", "in_contention")
                               if f in set(o.alternatives["fate"])))
    assert len(points) == len(fates)
    # x in $M, kept to $1,000 (web.py rounds money to what the axis shows)
    assert points[0]["name"] == "chosen" and points[0]["x"] == [
        pytest.approx(o.estimate[o.chosen, 0] / 1e6, abs=5e-4)]
    xs = sorted(x for t in points for x in t["x"])
    ys = sorted(y for t in points for y in t["y"])
    assert len(xs) == o.k
    np.testing.assert_allclose(xs, np.sort(o.estimate[:, 0]) / 1e6, atol=5e-4)
    np.testing.assert_allclose(ys, np.sort(o.estimate[:, 1]), atol=1e-6)
    for t in points:   # error bars: the intervals
        assert t["error_x"]["type"] == "data" and t["error_y"]["type"] == "data"
    chosen = points[0]
    np.testing.assert_allclose(chosen["error_x"]["array"][0],
                               (o.ci_high[o.chosen, 0] - o.estimate[o.chosen, 0]) / 1e6,
                               atol=1e-6)
    assert "alternative 1" in chosen["text"][0] and "B787-charter.count=1" in chosen["text"][0]
    line = [t for t in fig["data"] if t.get("mode") == "lines"]
    assert len(line) == 1 and line[0]["y"] == [0.4, 0.4]


def test_a_file_without_optimize_reads_and_reports_as_before(sim_optimize, tmp_path):
    plain = tmp_path / "no-optimize.h5"
    shutil.copy(sim_optimize, plain)
    with h5py.File(plain, "r+") as f:
        del f["optimize"]
    with analysis.load(sim_optimize) as a, analysis.load(plain) as b:
        assert a.is_optimize and not b.is_optimize
        assert a.runs.equals(b.runs) and a.points.equals(b.points)
        with pytest.raises(InputError, match="no group /optimize"):
            b.optimize()
    out = tmp_path / "r"
    assert cli.main(["report", str(plain), "-o", str(out)]) == 0
    text = (out / "report.html").read_text(encoding="utf-8")
    assert '<section id="optimize">' not in text and "Optimisation" not in text
    assert '"optimize"' not in text.split("var figures = ", 1)[1][:200000]
    assert '<section id="design">' in text
    # `plot optimize` draws the figure of an optimize file and refuses any other
    assert cli.main(["plot", "optimize", str(sim_optimize), "-o", str(tmp_path / "o.png")]) == 0
    assert (tmp_path / "o.png").stat().st_size > 2000
    assert cli.main(["plot", "optimize", str(plain), "-o", str(tmp_path / "p.png")]) == 2
    assert not (tmp_path / "p.png").exists()


@pytest.mark.parametrize("name, what", [
    ("optimize/estimate", "/optimize/estimate is missing"),
    ("optimize/alternative", "/optimize/alternative is missing"),
    ("stage", "/stage is missing")])
def test_a_damaged_optimize_group_is_named(sim_optimize, tmp_path, capsys, name, what):
    bad = tmp_path / "bad.h5"
    shutil.copy(sim_optimize, bad)
    with h5py.File(bad, "r+") as f:
        del f[name]
    with analysis.load(bad) as res:
        with pytest.raises(InputError, match=f"is damaged: {what}"):
            res.optimize()
    assert cli.main(["report", str(bad), "-o", str(tmp_path / "r")]) == 2
    assert what in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


@pytest.fixture(scope="module")
def opt_other(sim_dir):
    """The same plan run out of budget after stage 1, and with a constraint none meets."""
    budget, none = sim_dir / "optimize-budget.h5", sim_dir / "optimize-none.h5"
    _run_mss(["optimize", "tests/cluster/small_optimize.toml", "-o", str(budget), "--force",
              "--set", "optimize.budget=200"], "this test")
    _run_mss(["optimize", "tests/cluster/small_optimize.toml", "-o", str(none), "--force",
              "--set", "constraint[0].probability=0.95"], "this test")
    return {"budget_exhausted": budget, "none_feasible": none}


@pytest.mark.parametrize("status", ["budget_exhausted", "none_feasible"])
def test_without_a_choice_the_section_says_why(opt_other, status):
    from analysis.optimization import optimize_figure, optimize_section
    with analysis.load(opt_other[status]) as res:
        o = res.optimize()
        assert o.status == status and o.chosen == -1
        s = optimize_section(res)
        html = "".join(str(b["html"]) for b in s.blocks if b["kind"] == "html")
        assert "Runner-up" not in html
        assert str(escape(o.summary.rstrip("."))) in html
        fig = optimize_figure(res)
        if status == "budget_exhausted":
            assert not o.guarantee
            assert "<b>No choice</b>: the budget of 200 runs ran out with alternatives " \
                   "0, 1, 2, 3 in contention." in html
            assert "<b>No guarantee:</b>" in html
            assert fig.data["fates"] == {"in_contention": [0, 1, 2, 3]}
        else:
            assert "<b>No alternative meets the constraints</b>" in html
            assert fig.data["fates"] == {"infeasible": [0, 1, 2, 3]}
        assert [t.name for t in fig.traces()] == [
            {"budget_exhausted": "in contention", "none_feasible": "infeasible"}[status]]
