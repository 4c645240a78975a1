"""The report's section on a file of `mss optimize` (DESIGN §11, docs/optimize.md): what the
ranking-and-selection procedure chose and with what guarantee, the chosen plan's estimates,
the runner-up and why it lost, the runs used against Rinott's, cost against readiness for
every alternative, and a row per alternative. Everything comes from /optimize
(`Results.optimize()`); the runs themselves are drawn by the sweep sections that follow.
"""

from __future__ import annotations

import numpy as np
from markupsafe import Markup

from analysis import stats
from analysis.figure import AUTH, FLOOR, NEUTRAL, PALETTE, Axis, Figure, Panel, Ref, Trace
from analysis.results import FATES

#: Colour and legend name of each fate in the figure.
FATE_STYLE = {"chosen": (AUTH, "chosen"), "worse": (NEUTRAL, "worse (eliminated)"),
              "infeasible": (FLOOR, "infeasible"), "in_contention": (PALETTE[0],
                                                                     "in contention")}
#: How the intervals are computed, for captions.
INTERVALS = ("95% intervals over each alternative's replications: Student t for a mean (the "
             "objective, a mean constraint), Wilson for a probability (the share of runs "
             "meeting a probability constraint)")


def _esc(s) -> str:
    return str(s).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def interval_text(o, i: int, j: int) -> str:
    """Output j of alternative i as the tables print it: estimate [low, high]."""
    return stats.format_interval(o.estimate[i, j], o.ci_low[i, j], o.ci_high[i, j])


def fate_text(o, i: int) -> str:
    """An alternative's fate in a few words, as `mss optimize` prints it in its table."""
    a = o.alternatives
    fate = str(a.at[i, "fate"])
    if fate == "worse":
        return f"worse than {int(a.at[i, 'eliminated_by'])} (stage {int(a.at[i, 'fate_stage'])})"
    if fate == "infeasible":
        return (f"infeasible: constraint {int(a.at[i, 'infeasible_constraint'])} "
                f"(stage {int(a.at[i, 'fate_stage'])})")
    return fate.replace("_", " ")


def _axis_for(res, o, j: int) -> tuple[str, str]:
    """(label, format) of output j on an axis."""
    from analysis.planner import kpi_label
    if j == 0:
        kpi = o.outputs[0]
        unit = res.kpi_units.get(kpi, "")
        fmt = "money" if unit == "USD" else "number"
        what = "million USD" if fmt == "money" else unit
        return (f"{kpi_label(res, kpi)}, mean over the alternative's runs"
                + (f" ({what})" if what and what != "1" else ""), fmt)
    if o.output_kind[j] == "probability":
        c = o.constraints[j - 1] if j <= len(o.constraints) else {}
        for key, sign in (("at_most", "≤"), ("at_least", "≥")):
            if key in c and "kpi" in c:
                return f"share of runs with {c['kpi']} {sign} {stats.format_number(c[key])}", \
                    "percent"
        return f"{o.outputs[j]}: share of runs", "percent"
    return f"{o.outputs[j]}: mean", "number"


def optimize_figure(res) -> Figure:
    """Cost against readiness: each alternative's objective estimate (x) against its first
    constraint's estimate (y; without a constraint, its index), both with their 95%
    intervals, one trace per fate, the constraint's threshold as a line."""
    o = res.optimize()
    xlab, xfmt = _axis_for(res, o, 0)
    has_c = len(o.outputs) > 1
    if has_c:
        ylab, yfmt = _axis_for(res, o, 1)
        y = o.estimate[:, 1]
        ylo, yhi = o.ci_low[:, 1], o.ci_high[:, 1]
    else:
        ylab, yfmt = "alternative", "count"
        y = np.arange(o.k, dtype=np.float64)
        ylo = yhi = y
    x, xlo, xhi = o.estimate[:, 0], o.ci_low[:, 0], o.ci_high[:, 0]
    fates = list(o.alternatives["fate"])
    panel = Panel("", Axis(xlab, fmt=xfmt), Axis(ylab, fmt=yfmt))
    data = {"fates": {}, "x": x, "y": y}
    for fate in list(FATES) + sorted(set(fates) - set(FATES)):
        idx = [i for i, f in enumerate(fates) if f == fate]
        if not idx:
            continue
        colour, name = FATE_STYLE.get(fate, (PALETTE[4], fate.replace("_", " ")))
        text = []
        for i in idx:
            lines = [f"<b>alternative {i}</b>: {_esc(o.label(i))}"]
            lines += [f"{_esc(o.outputs[j])}: {interval_text(o, i, j)}"
                      for j in range(len(o.outputs))]
            lines.append(f"{int(o.alternatives.at[i, 'replications'])} replications; "
                         f"{_esc(fate_text(o, i))}")
            text.append("<br>".join(lines))

        def fill(a, v):
            return np.where(np.isnan(a), v, a)
        panel.traces.append(Trace(
            "points", name, x[idx], y[idx],
            err=(fill(ylo[idx], y[idx]), fill(yhi[idx], y[idx])),
            xerr=(fill(xlo[idx], x[idx]), fill(xhi[idx], x[idx])),
            color=colour, size=np.full(len(idx), 13.0 if fate == "chosen" else 9.0),
            text=text))
        data["fates"][fate] = idx
    if has_c:
        q = o.threshold(1)
        if q is not None:
            panel.hlines.append(Ref(q, f"threshold of {o.outputs[1]}", FLOOR, "dash"))
            data["threshold"] = q
    if not has_c:
        panel.y.ticks = list(range(o.k))
    return Figure("optimize", "Cost against readiness: every alternative", [panel],
                  height=460, hovermode="closest", data=data)


def _answer(o) -> Markup:
    """The answer in one sentence, then the file's guarantee sentence."""
    if o.chosen >= 0:
        head = Markup("<b>Choose alternative {c}</b>: {lab}.").format(c=o.chosen,
                                                                     lab=o.label(o.chosen))
    elif o.status == "none_feasible":
        head = Markup("<b>No alternative meets the constraints</b>: every one was shown "
                      "infeasible.")
    else:
        still = [i for i in range(o.k) if o.alternatives.at[i, "fate"] == "in_contention"]
        head = Markup("<b>No choice</b>: the budget of {b} runs ran out with {n} in "
                      "contention.").format(
            b=f"{o.budget:,}", n=("alternatives " + ", ".join(map(str, still))) if len(still) > 1
            else (f"alternative {still[0]}" if still else "no alternative"))
    lead = "Guarantee" if o.guarantee else "No guarantee"
    return (Markup('<p class="answer">') + head + Markup("</p><p><b>{}:</b> {}.</p>").format(
        lead, o.summary.rstrip(".")))


def optimize_section(res):
    """The "Optimisation" section of an optimize file's report."""
    from analysis.report import Row, Section
    from analysis.sweep import factor_label
    o = res.optimize()
    fn = stats.format_number
    s = Section("optimize", "Optimisation")
    s.html(_answer(o))

    # The chosen plan (and the runner-up) output by output.
    u = o.runner_up if o.chosen >= 0 else None
    shown = [(o.chosen, "chosen")] if o.chosen >= 0 else []
    if u is not None:
        shown.append((u, "runner-up"))
    if shown:
        header = ["output", "kind"] + [Markup("{}: alternative {}<br>estimate [95% CI]").format(
            what, i) for i, what in shown]
        rows = [[o.outputs[j], o.output_kind[j]] + [interval_text(o, i, j) for i, _ in shown]
                for j in range(len(o.outputs))]
        rows.append(["replications", ""] + [str(int(o.alternatives.at[i, "replications"]))
                                            for i, _ in shown])
        s.table(header, rows, "ll" + "r" * len(shown), id="optimize-chosen",
                note=INTERVALS + ".")
    if u is not None:
        s.para(Markup("<b>Runner-up: alternative {u}</b> ({lab}), the feasible alternative "
                      "with the best objective estimate after the choice (without one, the "
                      "one with the most replications). Why it lost: {why}.").format(
            u=u, lab=o.label(u), why=str(o.alternatives.at[u, "why"])))

    runs = Markup("<b>Runs:</b> {r} in {s} stage{pl} ({n0} replications of each of the {k} "
                  "alternatives in stage 1, then {dn} more of each survivor per stage; budget "
                  "{b}).").format(r=f"{o.runs:,}", s=o.stages, pl="" if o.stages == 1 else "s",
                                  n0=o.first_stage, k=o.k, dn=o.increment, b=f"{o.budget:,}")
    if o.rinott_runs >= 0:
        runs += Markup(" Rinott's two-stage procedure (h = {h}) would take <b>{rr}</b> runs at "
                       "the same δ = {d} and confidence {c} on these first-stage variances: "
                       "{x}× the runs used.").format(
            h=fn(o.rinott_h), rr=f"{o.rinott_runs:,}", d=fn(o.delta), c=fn(o.confidence),
            x=f"{o.rinott_ratio:.2f}")
    else:
        runs += Markup(" With one alternative there is nothing to compare with Rinott's "
                       "procedure.")
    s.para(runs)

    cap = Markup(
        "Each alternative's objective estimate (x) against {what}, with their 95% intervals "
        "as error bars, coloured by its fate: <b>chosen</b> (green), <b>worse</b> "
        "(eliminated by a feasible alternative with a better objective; grey), "
        "<b>infeasible</b> (shown to break a constraint; red), <b>in contention</b> (neither "
        "when the procedure stopped; blue).{line} Hover over a point for its plan.").format(
        what=Markup("its first constraint's estimate (y)") if len(o.outputs) > 1
        else Markup("its index (the plan has no constraint)"),
        line=Markup(" The red dashed line is the constraint's threshold.")
        if len(o.outputs) > 1 and o.threshold(1) is not None else "")
    s.figure(optimize_figure(res), cap)

    header = (["alt"] + [Markup("{}<br><code>{}</code>").format(factor_label(f), f)
                         for f in res.factors] + ["reps"]
              + [Markup("{}<br>estimate [95% CI]").format(n) for n in o.outputs]
              + ["fate", "why"])
    rows = []
    for i in range(o.k):
        cells = ([str(i)] + stats.factor_text(res, i)
                 + [str(int(o.alternatives.at[i, "replications"]))]
                 + [interval_text(o, i, j) for j in range(len(o.outputs))]
                 + [fate_text(o, i), str(o.alternatives.at[i, "why"])])
        rows.append(Row(cells, cls="chosen" if i == o.chosen else "", key=str(i)))
    lead = 1 + len(res.factors)
    s.table(header, rows, "l" * lead + "r" * (1 + len(o.outputs)) + "ll",
            title="Every alternative", id="alternatives",
            note="A row per alternative (the design points of the file, in their order): its "
                 "decision variables, its replications, each output's estimate with its "
                 + INTERVALS + "; its fate and why, from <code>/optimize</code>.")
    sampled = (~np.isnan(o.stage_mean[:, :, 0])).sum(axis=1)
    s.table(["stage", "replications of a survivor", "runs", "alternatives sampled"],
            [[str(st), str(int(r["replications"])), f"{int(r['runs']):,}", str(int(n))]
             for (st, r), n in zip(o.stage_history.iterrows(), sampled)], "rrrr",
            title="Stages", id="stages",
            note="Cumulative after each stage; decisions are taken only at stage ends.")
    s.para(Markup("<b>Procedure:</b> {p}. Objective: {goal} the mean of <code>{kpi}</code> "
                  "(indifference zone δ = {d}); confidence {c}.").format(
        p=o.procedure, goal="maximise" if o.maximise else "minimise", kpi=o.outputs[0],
        d=fn(o.delta), c=fn(o.confidence)))
    return s
