"""The `report` and `compare` outputs: one self-contained HTML page (Jinja2, plotly.js from
Debian's python3-plotly embedded once), the CSV tables of the statistics contract, and with
`--png` the figures as PNGs (matplotlib).

File names in the output directory are fixed (docs/analysis.md lists them) so that scripts and
tests can find them. An output directory that holds a report is not overwritten without
`force`; every file is written into a hidden directory beside it and moved in at the end, so
a failure or an interrupt leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import platform
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from markupsafe import Markup, escape

from analysis import stats
from analysis.results import InputError, iso_today, same_file

#: The statistics columns of the report's KPI tables (docs/statistics.md "Per KPI").
STAT_HEADER = ["n/runs", "reached [95% CI]", "mean [95% CI]", "sd", "P10", "P50", "P90", "min",
               "max"]
#: Names of the figures (their PNG is NAME.png with --png).
FIGURE_IDS = ("filled", "reach", "dip", "contingents", "closures", "regimes", "timelines",
              "money", "kpis", "points_filled", "points_reach", "contrasts", "grid", "response",
              "effects", "cost", "points_closures", "optimize", "compare_filled",
              "compare_diff", "compare_reach")
#: Files a report or comparison may write, and those of earlier versions of the package: an
#: existing directory holding any of the first two is "a report"; --force replaces them all.
REPORT_FILES = ("report.html", "report.md", "kpis.csv", "kpis_by_point.csv", "contrasts.csv",
                "sensitivity.csv", "strength.png", "airport.png", "kpis.png", "sensitivity.png")
COMPARE_FILES = ("compare.html", "compare.md", "compare.csv", "compare.png")
#: The largest report.html we write (the issue's budget).
MAX_HTML_BYTES = 12_000_000


# ------------------------------------------------------------------------------------------
# Page model

@dataclass
class Row:
    cells: list
    cls: str = ""
    key: str = ""


@dataclass
class Section:
    id: str
    title: str
    blocks: list = field(default_factory=list)

    def html(self, text) -> None:
        self.blocks.append({"kind": "html", "html": Markup(text)})

    def para(self, text) -> None:
        self.blocks.append({"kind": "html", "html": Markup("<p>") + Markup(text) +
                            Markup("</p>")})

    def figure(self, fig, caption="") -> None:
        if fig is None:
            return
        self.blocks.append({"kind": "figure", "id": fig.id, "height": fig.height,
                            "title": fig.title, "caption": Markup(caption or fig.caption),
                            "fig": fig})

    def table(self, header, rows, align=None, title="", note="", id="") -> None:
        align = align or ("l" + "r" * (len(header) - 1))
        rows = [r if isinstance(r, Row) else Row(list(r)) for r in rows]
        self.blocks.append({"kind": "table", "header": header, "rows": rows, "align": align,
                            "title": title, "note": Markup(note), "id": id})

    def pre(self, title, text, open=False) -> None:
        self.blocks.append({"kind": "pre", "title": title, "text": text, "open": open})

    def figures(self):
        return [b["fig"] for b in self.blocks if b["kind"] == "figure"]


@lru_cache(maxsize=1)
def _template():
    import jinja2

    from analysis.page import TEMPLATE
    env = jinja2.Environment(loader=jinja2.DictLoader({"report.html": TEMPLATE}),
                             autoescape=True, undefined=jinja2.StrictUndefined)
    return env.get_template("report.html")


#: Where plotly.js goes in the rendered template (spliced in as bytes by `render_page`).
PLOTLY_MARK = "/*@@PLOTLY_JS@@*/"


def render_page(title: str, subtitle: list, sections: list[Section]) -> bytes:
    """The HTML page as UTF-8 bytes: sections in order, every figure's JSON and plotly.js
    embedded once."""
    from analysis import web
    figs = [f for s in sections for f in s.figures()]
    ids = [f.id for f in figs]
    if len(set(ids)) != len(ids):
        raise AssertionError(f"figure ids repeat: {ids}")
    figures = "{" + ",".join(f'"{f.id}":{web.figure_json(f)}' for f in figs) + "}"
    import json
    html = _template().render(
        title=title, subtitle=subtitle, sections=sections, generator=_generator(),
        plotly_js=Markup(PLOTLY_MARK), config=Markup(json.dumps(web.CONFIG)),
        figures=Markup(figures))
    head, mark, tail = html.partition(PLOTLY_MARK)
    assert mark, "the template has no place for plotly.js"
    return head.encode("utf-8") + web.plotly_js() + tail.encode("utf-8")


def _generator() -> str:
    from analysis import __version__
    return __version__


# ------------------------------------------------------------------------------------------
# Output directory

def check_outdir(outdir: str | Path, force: bool, owned=REPORT_FILES[:2], what="report") -> None:
    """InputError when `outdir` is a file, or holds a report (one of `owned`) and `force`
    is not set."""
    out = Path(outdir)
    if os.path.exists(out) and not os.path.isdir(out):
        raise InputError(f"{out}: exists and is not a directory (-o names an output "
                         "directory)")
    if os.path.isdir(out) and not force:
        held = [n for n in owned if os.path.exists(out / n)]
        if held:
            raise InputError(f"{out}: holds a {what} already ({held[0]}); add --force to "
                             "replace it")


def _owned(name: str, owned: tuple) -> bool:
    if name in owned:
        return True
    stem, suffix = os.path.splitext(name)
    return suffix == ".png" and (stem in FIGURE_IDS or stem.startswith("sweep_"))


@contextlib.contextmanager
def staged(outdir: str | Path, inputs=(), force: bool = False, owned=REPORT_FILES,
           what="report"):
    """Yields a new hidden directory beside `outdir` to write the output files into. When
    the block succeeds they are moved into `outdir` (created if needed; with `force`, the
    files of an earlier report there are removed first), the HTML page last; when it fails
    or is interrupted they are deleted, with the directories made for them. So `outdir`
    never receives a partial set of files, and no file of `inputs` is overwritten."""
    out = Path(outdir)
    check_outdir(out, force, owned[:2], what)
    made = [d for d in out.absolute().parents if not os.path.exists(d)]  # innermost first
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    except OSError as e:
        _remove_empty(made)
        raise InputError(f"{out}: cannot create the output directory: "
                         f"{e.strerror or e}") from e
    try:
        yield tmp
        files = sorted(tmp.iterdir(), key=lambda f: f.suffix == ".html")
        try:
            if os.path.isdir(out):
                for f in out.iterdir():
                    if any(same_file(f, i) for i in inputs):
                        raise InputError(f"{f}: is an input file; choose another output "
                                         "directory")
            for f in files:
                dst = out / f.name
                if any(same_file(dst, i) for i in inputs):
                    raise InputError(f"{dst}: is an input file; choose another output "
                                     "directory")
            if not os.path.exists(out):
                umask = os.umask(0)
                os.umask(umask)
                tmp.chmod(0o777 & ~umask)   # mkdtemp makes it private
                os.rename(tmp, out)
            else:
                check_outdir(out, force, owned[:2], what)   # a report may have appeared
                if force:
                    for f in out.iterdir():
                        if f.is_file() and _owned(f.name, owned):
                            f.unlink()
                for f in files:
                    os.replace(f, out / f.name)
        except OSError as e:
            raise InputError(f"{out}: cannot write the output: {e.strerror or e}") from e
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        _remove_empty(made)
        raise
    shutil.rmtree(tmp, ignore_errors=True)


def _remove_empty(dirs) -> None:
    """Removes the directories of `dirs` (innermost first) that are empty."""
    for d in dirs:
        with contextlib.suppress(OSError):
            d.rmdir()


def _write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _write_html(path: Path, html: bytes) -> Path:
    size = len(html)
    if size > MAX_HTML_BYTES:
        raise InputError(f"{path.name}: the page would be {size / 1e6:.1f} MB, over the "
                         f"{MAX_HTML_BYTES / 1e6:.0f} MB a report may take (report one design "
                         "point with --point)")
    path.write_bytes(html)
    return path


def _write_pngs(figs, out: Path, written: list) -> None:
    from analysis import plots
    for fig in figs:
        written.append(plots.save(plots.render(fig), out / f"{fig.id}.png"))


# ------------------------------------------------------------------------------------------
# Tables of the statistics contract

def _stat_rows(row: dict, start: str, reached: bool) -> list[list[str]]:
    """The statistics cells of one `stats.summary_table` row (STAT_HEADER, without the
    `reached` column unless `reached`), and for a first-day KPI a second row: its dates
    (mean and CI, P10, P50, P90, min, max as start + day) when the start date is known."""
    fn = stats.format_number
    first = stats.kpi_meta(row["kpi"]).first_day
    cells = [f"{row['n']}/{row['runs']}"]
    if reached:
        cells.append(stats.format_interval(row["reached"], row["reached_low"],
                                           row["reached_high"]) if first else "")
    cells += [stats.mean_text(row)] + [fn(row[c]) for c in ("sd", "p10", "p50", "p90", "min",
                                                            "max")]
    rows = [cells]
    if first and start:
        mean, *rest = stats.date_texts(start, row)
        rows.append([""] + ([""] if reached else []) + [mean, ""] + rest)
    return rows


def kpi_cell(res, kpi: str) -> Markup:
    """A KPI in a table: its long name in words, then its variable name."""
    from analysis.planner import kpi_label
    return Markup('<span class="long">{}</span><code>{}</code>').format(kpi_label(res, kpi), kpi)


def kpi_table(sec: Section, res, table: pd.DataFrame, start: str, title="", id="") -> None:
    """The per-KPI table of one design point (rows of `stats.summary_table`): a row per KPI,
    and a `date` row under each first-day KPI."""
    recs = table.to_dict("records")
    reached = any(stats.kpi_meta(r["kpi"]).first_day for r in recs)
    header = ["KPI", "unit"] + [h for h in STAT_HEADER if reached or not h.startswith("reached")]
    rows = []
    for r in recs:
        first, *dates = _stat_rows(r, start, reached)
        rows.append(Row([kpi_cell(res, r["kpi"]), r["unit"]] + first, key=r["kpi"]))
        rows += [Row(["date", ""] + d, cls="date") for d in dates]
    sec.table(header, rows, "ll" + "r" * (len(header) - 2), title=title, id=id)


def kpi_by_point_tables(sec: Section, res, table: pd.DataFrame, start: str) -> None:
    """The statistics of several design points: a table per KPI with a row per design point
    (its factor values after `point`)."""
    from analysis.sweep import factor_label
    for kpi, sub in table.groupby("kpi", sort=False):
        recs = sub.to_dict("records")
        reached = stats.kpi_meta(kpi).first_day
        header = (["point"] + [factor_label(f) for f in res.factors]
                  + [h for h in STAT_HEADER if reached or not h.startswith("reached")])
        rows = []
        for r in recs:
            first, *dates = _stat_rows(r, start, reached)
            rows.append(Row([str(r["point"])] + stats.factor_text(res, r["point"]) + first,
                            key=str(r["point"])))
            rows += [Row(["date"] + [""] * len(res.factors) + d, cls="date") for d in dates]
        unit = recs[0]["unit"]
        from analysis.planner import kpi_label
        sec.table(header, rows, "l" * (1 + len(res.factors))
                  + "r" * (len(header) - 1 - len(res.factors)),
                  title=Markup("{} <code>{}</code>{}").format(
                      kpi_label(res, kpi), kpi, f" ({unit})" if unit else ""),
                  id=f"kpi-{kpi}")


KPI_NOTES = (
    "Statistics over the ok runs of each design point (failed runs are left out; "
    "<code>runs</code> counts the ok ones), by the rules of docs/statistics.md, the same "
    "numbers as <code>mss summary</code>: n/runs (runs with a value / ok runs), the mean and "
    "its 95% confidence interval (Student t, clipped to the KPI's possible range), the sample "
    "sd, the 10th, 50th and 90th percentiles (numpy's linear definition), min and max. A KPI "
    "that some runs never reach (<code>days_to_ioc</code>, <code>days_to_foc</code>) first "
    "gives the share of runs reaching it with its 95% Wilson interval; its mean, CI and sd are "
    "over the runs that reached it (<i>if reached</i>), and its percentiles, min and max count "
    "a run that never reached it as beyond the horizon (<i>never</i>); its <i>date</i> row "
    "shows the same statistics as calendar dates (start + day). <code>*</code> marks a mean "
    "over fewer runs than the ok runs (no value in some runs, e.g. the gap after an FOC some "
    "runs never reach). <code>-</code>: no value.")


#: The payer KPIs of the Money table, with their headers.
PAYER_COLUMNS = (("cost_usd", "cost (USD)"), ("paid_usd", "paid (USD)"),
                 ("held_person_days", "person-days held for its funds"),
                 ("days_held", "days held"), ("min_balance_usd", "lowest balance (USD)"),
                 ("end_balance_usd", "balance at the end (USD)"))


def payer_table(sec: Section, res, view) -> None:
    """The payer KPIs over the view's runs (`stats.payer_summary_table`): a row per payer,
    the ok runs, and per KPI its mean [95% CI]."""
    t = stats.payer_summary_table(res.payer_kpis, view.runs, ok=np.ones(view.n, bool))
    if not len(t):
        return
    cols = [(k, h) for k, h in PAYER_COLUMNS if k in set(t["kpi"])]
    header = ["payer", "runs"] + [Markup("{}<br><code>payer_{}</code> mean [95% CI]").format(h, k)
                                  for k, h in cols]
    rows = []
    for payer, sub in t.groupby("payer", sort=False):
        by = sub.set_index("kpi")
        rows.append(Row([payer, str(int(sub["runs"].iloc[0]))]
                        + [stats.mean_text({**by.loc[k], "kpi": k}) for k, _ in cols],
                        key=payer))
    sec.table(header, rows, "ll" + "r" * len(cols), id="payers",
              note="<code>*</code>: a mean over fewer runs than the ok runs (no value in some "
                   "runs); <code>-</code>: no value.")


def contingent_table(sec: Section, res, points: list[int]) -> None:
    """The per-contingent KPIs of the selected design points: a row per contingent (and
    design point), the ok runs, and per KPI its mean and 95% CI, for a first-day KPI the share
    reaching it [Wilson 95% CI] and the mean if reached."""
    from analysis.sweep import factor_label
    ck = res.contingent_kpis
    if not len(ck):
        return
    cols = [c for c in ck.columns if c not in ("run", "contingent")]
    by_run = res.runs.assign(ok=res.ok).set_index("run")
    multi = len(points) > 1
    header = (["point"] + [factor_label(f) for f in res.factors] if multi else []) + [
        "contingent", "runs"]
    for c in cols:
        name = Markup("<code>{}</code>").format(c)
        if stats.kpi_meta(c).first_day:
            header += [name + Markup(" reached [95% CI]"), name + Markup(" mean [95% CI]")]
        else:
            header.append(name + Markup(" mean [95% CI]"))
    units = {k.name: k.unit for k in stats.CONTINGENT_KPIS}
    tables = {}
    for c in res.contingents:
        sub = ck[ck["contingent"] == c]
        info = by_run.loc[sub["run"].to_numpy()]
        frame = sub[cols].assign(point=info["point"].to_numpy(),
                                 replication=info["replication"].to_numpy())
        tables[c] = stats.summary_table(frame, cols, ok=info["ok"].to_numpy(bool),
                                        points=points, units=units)
    rows = []
    for p in points:
        for c in res.contingents:
            t = tables[c]
            recs = t[t["point"] == p].to_dict("records")
            cells = ([str(p)] + stats.factor_text(res, p) if multi else []) + [
                c, str(recs[0]["runs"])]
            for r in recs:
                if stats.kpi_meta(r["kpi"]).first_day:
                    cells.append(stats.format_interval(r["reached"], r["reached_low"],
                                                       r["reached_high"]))
                cells.append(stats.mean_text(r))
            rows.append(cells)
    lead = (1 + len(res.factors) if multi else 0) + 1
    sec.table(header, rows, "l" * lead + "r" * (len(header) - lead),
              title="Per contingent", id="contingent-kpis",
              note="The per-contingent KPIs (<code>contingent_&lt;kpi&gt;</code>) over the ok "
                   "runs, by the same rules: the mean [95% CI]; for a first-day KPI first the "
                   "share of runs reaching it [Wilson 95% CI], then its mean if reached; "
                   "<code>*</code> a mean over fewer runs than the ok runs.")


# ------------------------------------------------------------------------------------------
# Provenance

def provenance_section(res, extra: list | None = None) -> Section:
    """The resolved scenario (and sweep) text and what made the file and the report."""
    info = res.info
    sec = Section("provenance", "Scenario and provenance")
    seeds = sorted(set(int(s) for s in res.runs["seed"])) if "seed" in res.runs else []
    sc = res.scenario.get("scenario", {}) if isinstance(res.scenario.get("scenario"),
                                                         dict) else {}
    sw = (res.sweep or {}).get("sweep", {}) if isinstance(res.sweep, dict) else {}
    items = [
        ("results file", f"{res.path} ({info.get('format', '?')})"),
        ("written by", f"mss {info.get('mss_version', '?')}, commit "
                       f"{info.get('git_commit', '?')}, {info.get('build_type', '?')} build"),
        ("written at", info.get("created_utc", "?")),
        ("command", info.get("command_line", "?")),
        ("scenario seed", str(sc.get("seed", "?"))),
    ]
    if sw:
        items.append(("sweep seed", str(sw.get("seed", "?"))))
    items.append(("master seeds of the runs",
                  (", ".join(map(str, seeds)) if len(seeds) <= 6 else
                   f"{len(seeds)} distinct, {seeds[0]} … {seeds[-1]}") if seeds else "?"))
    if res.sweep_hash:
        items.append(("sweep identity hash", res.sweep_hash))
    libs = ", ".join(f"{k.replace('_version', '')} {info[k]}" for k in info
                     if k.endswith("_version") and k != "mss_version")
    if libs:
        items.append(("libraries", libs))
    from analysis import web
    items += [
        ("report written", f"{iso_today()} by python3 -m analysis "
                           f"{' '.join(sys.argv[1:]) if sys.argv[1:] else ''}".rstrip()),
        ("analysis", f"analysis {_generator()}, Python {platform.python_version()}, "
                     f"plotly.js {web.plotly_js_version()} (embedded)"),
    ] + (extra or [])
    dl = Markup('<dl class="prov">') + Markup("").join(
        Markup("<dt>{}</dt><dd>{}</dd>").format(k, v) for k, v in items) + Markup("</dl>")
    sec.html(dl)
    sec.pre("The resolved scenario (the /scenario attribute toml)", res.scenario_toml)
    if res.sweep_toml:
        sec.pre("The sweep file (the /scenario attribute sweep_toml)", res.sweep_toml)
    return sec


# ------------------------------------------------------------------------------------------
# The report of a results file

def write_report(res, outdir: str | Path, sweep: str = "auto", point: int | None = None,
                 force: bool = False, png: bool = False) -> list:
    """Writes the report of `res` into `outdir`; returns the files written.

    sweep: "auto" (sweep sections when the file is a sweep), "yes" (required: InputError
    on a plain run), "no". point: report one design point (as a plain run). force: replace
    an earlier report in `outdir`. png: also write every figure as NAME.png."""
    if sweep == "yes" and not res.is_sweep:
        raise InputError(f"{res.path}: sweep plots requested, but this is a plain run "
                         "(no sweep text in /scenario, no factor variables over "
                         "/design_point); sweep plots need a file written by `mss sweep`")
    do_sweep = res.is_sweep and sweep != "no" and point is None
    if do_sweep and not res.factors:
        if sweep == "yes":
            raise InputError(f"{res.path}: the sweep has no factor variables over "
                             "/design_point")
        do_sweep = False
    mask = res.runs_of_point(point) if point is not None else None
    check_outdir(outdir, force)
    with staged(outdir, [res.path], force=force) as tmp:
        written = _write_report(res, tmp, do_sweep, point, mask, png)
    return [Path(outdir) / p.name for p in written]


def _write_report(res, out: Path, do_sweep: bool, point, mask, png: bool) -> list:
    from analysis import planner
    written = []
    points = [point] if point is not None else sorted(int(p) for p in res.points["point"])
    table = res.summary(points=points)
    written.append(_write_text(out / "kpis.csv", stats.csv_text(table)))
    if do_sweep:
        from analysis import sweep as sw
        sections, csvs = sw.sweep_sections(res, table)
    else:
        what = ""
        if point is not None:
            desc = ", ".join(f"{k} = {v}" for k, v in zip(res.factors,
                                                           stats.factor_text(res, point)))
            what = f"design point {point}" + (f" ({desc})" if desc else "")
        elif res.n_points > 1:
            raise InputError(f"{res.path}: a sweep of {res.n_points} design points: report it "
                             "whole (without --no-sweep) or one point with --point P")
        view = planner.View(res, mask, what)
        sections = plain_sections(view, table)
        csvs = {}
    if res.is_optimize and point is None:
        from analysis.optimization import optimize_section
        sections.insert(0, optimize_section(res))
    for name, text in csvs.items():
        written.append(_write_text(out / name, text))
    figs = [f for s in sections for f in s.figures()]
    if png:
        _write_pngs(figs, out, written)
    files = Section("files", "Files of this report")
    files.html(Markup("<ul>") + Markup("").join(
        Markup("<li><code>{}</code></li>").format(p.name) for p in written + [out / "report.html"])
        + Markup("</ul>"))
    sections.append(files)
    title, subtitle = _page_title(res, point)
    written.append(_write_html(out / "report.html", render_page(title, subtitle, sections)))
    return written


def _page_title(res, point) -> tuple[str, list[str]]:
    sc = res.scenario.get("scenario", {}) if isinstance(res.scenario.get("scenario"),
                                                         dict) else {}
    title = f"mss-sim report: {res.scenario_name}"
    sub = []
    if res.is_sweep:
        sw = (res.sweep or {}).get("sweep", {}) if isinstance(res.sweep, dict) else {}
        if sw.get("description"):
            sub.append(str(sw["description"]))
        title = f"mss-sim sweep report: {sw.get('name', res.scenario_name)}"
    if sc.get("description") and not res.is_sweep:
        sub.append(str(sc["description"]))
    ok = int(res.ok.sum())
    kind = (f"{res.n_points} design points × {res.replications} replications"
            if res.n_points > 1 else f"{res.replications} replications")
    if res.is_optimize:   # survivors get more replications than the eliminated
        o = res.optimize()
        kind = (f"mss optimize: {o.k} alternative{'s' if o.k != 1 else ''}, {o.stages} "
                f"stage{'s' if o.stages != 1 else ''}")
        if point is None:
            plan = o.plan.get("optimize", {}) if isinstance(o.plan.get("optimize"), dict) else {}
            title = f"mss-sim optimisation report: {plan.get('name', res.scenario_name)}"
    sub.append(f"{kind}, {ok} of {res.n_runs} runs ok; {res.days} days from "
               f"{res.day_dates[0]} to {res.day_dates[-1]}; file {res.path.name}; "
               f"report written {iso_today()}")
    if point is not None:
        desc = ", ".join(f"{k} = {v}" for k, v in zip(res.factors, stats.factor_text(res, point)))
        sub.insert(0, f"Design point {point}" + (f": {desc}" if desc else ""))
    return title, sub


def _fmt_date(v, start) -> str:
    from analysis.figure import date_text
    if v != v:
        return "-"
    if v == math.inf:
        return "never"
    return date_text(start + np.timedelta64(int(math.floor(v)), "D"))


def glance(view) -> Markup:
    """The planner's answers in a few cards: FOC (share reaching, P10/P50/P90 dates), IOC,
    the dip and gap after FOC, closures of the main gateway, cost."""
    from analysis.planner import value_text
    res, t, start = view.res, view.table, view.start
    fn = stats.format_number
    cards = []

    def card(head, big, small):
        cards.append(Markup('<div class="card"><h3>{}</h3><div class="big">{}</div>'
                            '<div class="small">{}</div></div>').format(head, big, small))

    th = view.thresholds
    for kpi, label, frac in (("days_to_foc", "Full operating capability", th.foc_frac),
                             ("days_to_ioc", "Initial operating capability", th.ioc_frac)):
        if kpi not in t.index:
            continue
        r = t.loc[kpi]
        share = stats.format_interval(r["reached"], r["reached_low"], r["reached_high"])
        big = f"{_fmt_date(r['p50'], start)} (P50)" if r["p50"] != math.inf else \
            f"reached in {int(r['n'])} of {int(r['runs'])} runs"
        card(f"{label} ({100 * frac:g}% of billets filled)", big,
             f"P10 {_fmt_date(r['p10'], start)}, P90 {_fmt_date(r['p90'], start)}; reached in "
             f"{int(r['n'])}/{int(r['runs'])} runs, share {share} (Wilson 95%)")
    if "min_filled_frac" in t.index and t.loc["min_filled_frac", "n"] > 0:
        r = t.loc["min_filled_frac"]
        small = f"P10 {100 * r['p10']:.1f}%, worst run {100 * r['min']:.1f}% of billets filled"
        if "days_below_floor" in view.runs and th.floor is not None:
            d = view.kpi("days_below_floor")
            d = d[np.isfinite(d)]
            small += f"; {int((d > 0).sum())} of {d.size} runs ever below the floor"
        card("Deepest dip after FOC (median run)", f"{100 * r['p50']:.1f}% of billets", small)
    if "gap_person_days" in t.index and t.loc["gap_person_days", "n"] > 0:
        r = t.loc["gap_person_days"]
        ci = f"95% CI [{fn(r['ci_low'])}, {fn(r['ci_high'])}]; " if r["ci_low"] == r["ci_low"] \
            else ""
        card("Gap below the floor after FOC", f"{fn(r['mean'])} billet-days (mean)",
             f"{ci}P90 {fn(r['p90'])}, worst run {fn(r['max'])}"
             + (f"; over the {int(r['n'])} runs that reached FOC" if r["n"] < r["runs"] else ""))
    if "airport_closed_days" in t.index:
        r = t.loc["airport_closed_days"]
        small = f"P10 {fn(r['p10'])}, P90 {fn(r['p90'])} days (airport_closed_days)"
        card(f"{res.main_airport} closed to all classes", f"{fn(r['mean'])} days per run (mean)",
             small)
    if "cost_usd" in t.index:
        r = t.loc["cost_usd"]
        card("Cost (airlift, transfers, per diem, allowances, base)", value_text("money", r["mean"]) + " (mean)",
             f"95% CI {value_text('money', r['ci_low'])} to {value_text('money', r['ci_high'])}")
    return Markup('<div class="cards">') + Markup("").join(cards) + Markup("</div>")


def plain_sections(view, table: pd.DataFrame) -> list[Section]:
    """The sections of the report of one design point, the planner's questions first."""
    from analysis import planner
    from analysis.figure import date_text
    res, th, start = view.res, view.thresholds, view.start
    fn = stats.format_number
    start_s = str(start)
    secs = []

    s = Section("glance", "At a glance")
    if view.what:
        s.para(escape(f"This report shows {view.what} only."))
    s.html(glance(view))
    if th.note:
        s.html(Markup('<p class="warn">{}</p>').format(
            f"Authorised strength or the floor is not drawn: {th.note}."))
    secs.append(s)

    s = Section("filled", "Filled billets against authorised strength")
    fig = planner.filled_figure(view)
    d = fig.data
    gap = view.table.loc["gap_person_days"] if "gap_person_days" in view.table.index else None
    cap = Markup(
        "Billets filled by an incumbent on duty (<code>/series/filled</code>, all contingents) "
        "at the end of each day, over the {n} ok runs: the line is the median, the dark band "
        "holds the middle 50% of runs, the light band 90% (percentiles of each day, not whole "
        "runs). ").format(n=view.n)
    if th.total is not None:
        cap += Markup("Green: authorised strength ({a} billets) and the FOC level ({f}). "
                      ).format(a=fn(th.total), f=f"{100 * th.foc_frac:g}%")
    if th.floor is not None:
        cap += Markup("Red dashed: the floor, {ff} × {a} = {fl} billets. The red area under "
                      "it is the mean shortfall below the floor on days after each run's own "
                      "FOC, over the {k} runs that reached FOC; its area is the mean of the "
                      "gap KPI{g}. ").format(
            ff=fn(th.floor_frac), a=fn(th.total), fl=fn(th.floor), k=d["runs_reached_foc"],
            g=Markup(" (<code>gap_person_days</code> = {})").format(fn(gap["mean"]))
            if gap is not None and gap["n"] else "")
    if d["marks"].get("days_to_foc", {}).get("p50") is not None:
        m = d["marks"]["days_to_foc"]
        cap += Markup("Vertical lines: the median dates of IOC and FOC; the green span holds "
                      "FOC from its P10 to its P90 date ({a} to {b}). ").format(
            a=date_text(m["p10"]) if m["p10"] is not None else "-",
            b=date_text(m["p90"]) if m["p90"] is not None else "never")
    cap += Markup("The strip below: the share of each day {ap} was closed to every operator "
                  "class (grey) and, apart from it, the share it was closed to one class only "
                  "while others flew (orange: a ban, e.g. on commercial operators), means over "
                  "runs. Headcount (on duty or injured, incl. outgoing officers during an "
                  "overlap) is listed in the legend: click it to show it. Hover for values; "
                  "drag to zoom, double-click to reset.").format(ap=res.main_airport)
    s.figure(fig, cap)
    secs.append(s)

    s = Section("reach", "When is full strength reached?")
    fig = planner.reach_figure(view)
    if fig is not None:
        rows = []
        for kpi in ("days_to_ioc", "days_to_foc"):
            if kpi not in view.table.index:
                continue
            r = view.table.loc[kpi]
            rows.append(Row([kpi_cell(res, kpi),
                             f"{int(r['n'])}/{int(r['runs'])}",
                             stats.format_interval(r["reached"], r["reached_low"],
                                                   r["reached_high"]),
                             _fmt_date(r["p10"], start), _fmt_date(r["p50"], start),
                             _fmt_date(r["p90"], start)], key=kpi))
        s.figure(fig, Markup(
            "The share of the {n} ok runs that have reached IOC ({i}% of billets filled) and "
            "FOC ({f}%) by each date, with its 95% Wilson interval (the interval of "
            "docs/statistics.md, day by day). Where a curve ends below 100%, the other runs "
            "never reached it within the horizon. Dotted lines: FOC's P10, P50 and P90 dates "
            "(the table's; a run that never reached it counts as beyond the horizon)."
        ).format(n=view.n, i=f"{100 * th.ioc_frac:g}", f=f"{100 * th.foc_frac:g}"))
        s.table(["KPI", "runs reaching it", "share [Wilson 95% CI]", "P10", "P50", "P90"],
                rows, "lrrrrr", id="reach")
    else:
        s.para("The file has no first-day KPI.")
    secs.append(s)

    s = Section("dip", "The dip during rotations")
    fig = planner.dip_figure(view)
    if fig is not None:
        s.figure(fig, Markup(
            "Top: the share of billets filled from the median FOC date on, median and bands "
            "over runs, zoomed on the dips (reliefs that arrive late, closures that keep them "
            "out). Middle: on each day, the share of the {k} runs that had reached FOC and were "
            "below the floor again (filled billets under {fl}), counting each run from its own "
            "FOC day, as the gap KPI does. Bottom: each run's deepest dip after FOC "
            "(<code>min_filled_frac</code>), the lowest share of billets filled on a day after "
            "it reached FOC."
        ).format(k=fig.data["runs_reached_foc"], fl=fn(th.floor)))
    else:
        s.para("No run reached FOC (or the floor is unknown), so there is no dip after FOC to "
               "show.")
    secs.append(s)

    s = Section("contingents", "Per contingent")
    s.figure(planner.contingent_figure(view), Markup(
        "Filled billets of each contingent: median, 50% and 90% bands over runs, and its "
        "billets (green). Its own y axis each."))
    contingent_table(s, res, [int(view.runs["point"].iloc[0])])
    secs.append(s)

    s = Section("closures", "Airport closures by operator class")
    fig = planner.closure_figure(view)
    main = fig.data["main"]
    every = main.get("closed to all classes", 0.0)
    kpi_txt = ""
    if "airport_closed_days" in view.table.index:
        r = view.table.loc["airport_closed_days"]
        kpi_txt = Markup(" It equals the mean of the KPI <code>airport_closed_days</code>, "
                         "{m} days (P10 {a}, P90 {b}).").format(m=fn(r["mean"]), a=fn(r["p10"]),
                                                                b=fn(r["p90"]))
    bans = [(k, v) for k, v in main.items() if k.startswith("ban on")]
    cap = Markup(
        "From <code>/series/airport_closed</code> (never from the event log): for each day, "
        "the share of the day the airport was closed, averaged over the {n} runs. "
        "<b>Closed to all classes</b> (grey) is a closure: nothing lands or departs. Summed over "
        "the days it gives {e} days per run on average.").format(n=view.n, e=fn(every)) + kpi_txt
    if bans:
        cap += Markup(" <b>Ban on a class</b> (orange) is a closure to one operator class "
                      "while the airport stays open to the others (e.g. a ban on commercial "
                      "operators while military and charter mission flights land), drawn apart "
                      "and not counted as closed: ") + Markup("; ").join(
            Markup("{}: {} days").format(k, fn(v)) for k, v in bans) \
            + Markup(" per run on average.")
    if fig.data["other"]:
        cap += Markup(" Other airports that closed to all classes are drawn below it.")
    s.figure(fig, cap)
    secs.append(s)

    fig = planner.regime_figure(view)
    s = Section("violence", "Violence")
    if fig is not None:
        s.figure(fig, Markup("The share of runs in each violence regime at the end of each day "
                             "(<code>/series/regime</code>); the legend gives each regime's "
                             "long-run (stationary) share from <code>/regimes</code>."))
        reg = res.regimes
        s.table(["regime", "stationary share"],
                [[str(n), f"{fn(100 * x)}%"] for n, x in zip(reg["name"],
                                                             reg["stationary_share"])], "lr")
    else:
        s.para("Violence is off in this scenario.")
    secs.append(s)

    s = Section("timelines", "Sample runs")
    fig = planner.timeline_figure(view)
    cap = Markup(
        "Each run in two rows: its filled billets (and, in the legend, headcount), then its "
        "{ap} closures (grey: to all classes; orange: a ban on one class) and violence regime "
        "from the series").format(ap=res.main_airport)
    if fig.data["events_on"]:
        cap += Markup(", and per day from the event log: personnel landed in Haiti, "
                      "personnel back home, reliefs requested (rotations), sorties diverted or "
                      "cancelled, wounded or killed (a marker's size grows with the count; hover "
                      "for it).")
        dropped = {r: n for r, n in fig.data["dropped"].items() if n}
        if dropped:
            cap += Markup(" <b>Events are capped</b> (<code>output.max_events_per_run</code> = "
                          "{cap}): ").format(cap=res.output_settings["max_events_per_run"]) + \
                Markup("; ").join(Markup("run {} left out {} events, so its markers stop at "
                                         "its last recorded event").format(r, f"{n:,}")
                                  for r, n in dropped.items()) + Markup(".")
        else:
            cap += Markup(" Every event of these runs was recorded "
                          "(<code>output.max_events_per_run</code> = {}).").format(
                res.output_settings["max_events_per_run"])
    else:
        cap += Markup(". <b>Events are switched off</b> in this scenario "
                      "(<code>output.events = false</code>): arrivals, departures and rotations "
                      "cannot be shown.")
    s.figure(fig, cap)
    secs.append(s)

    bt = stats.binding_table(view.runs)  # the view's runs are ok runs
    if bt is not None and int(bt["runs"].iloc[0]):
        s = Section("binds", "What binds")
        s.para(Markup(
            "In each run, the constraint whose person-days (or billet-days) over the binding "
            "window are the largest: held for <b>funds</b> (<code>funds_held_person_days</code>), "
            "ready with no <b>bed</b> free (<code>beds_held_person_days</code>), ready and "
            "waiting for a seat: <b>lift</b> (<code>lift_held_person_days</code>), or billets "
            "nobody has finished the pledge <b>pipeline</b> for "
            "(<code>pipeline_billet_days</code>); ties go to the first, and a run where all "
            "four are zero has nothing binding. Share of runs with its 95% Wilson interval, as "
            "<code>mss summary</code> prints it (docs/model.md \"What binds\")."))
        s.table(["constraint", "binds in", "share [95% CI]", "mean per run"],
                [[r["constraint"], f"{r['binds']}/{r['runs']}",
                  stats.format_interval(r["share"], r["share_low"], r["share_high"]),
                  fn(float(np.nanmean(view.kpi(r["kpi"])))) if r["kpi"] else ""]
                 for r in bt.to_dict("records")], "lrrr", id="binds")
        secs.append(s)

    if res.payers:
        s = Section("money", "Money")
        s.para(Markup(
            "Each payer of the scenario's <code>[funding]</code> (the trust fund, bilateral "
            "donors) keeps a ledger (docs/model.md \"Money\"): the costs charged to it, the "
            "contributions it received, and the releases (batches, reliefs) that waited for "
            "its funds. The table gives, over the {n} ok runs, the mean of each "
            "<code>payer_&lt;kpi&gt;</code> variable with its 95% confidence interval "
            "(Student t, clipped to the KPI's possible range: the rule of the KPI tables, "
            "docs/statistics.md).").format(n=view.n))
        payer_table(s, res, view)
        s.figure(planner.money_figure(view), Markup(
            "Each payer's balance at the end of each day (<code>/series/payer_balance</code>, "
            "after that day's costs and payments), over the {n} ok runs: the line is the "
            "median, the dark band holds the middle 50% of runs, the light band 90% "
            "(percentiles of each day, as in the filled-billets chart). Red dashed: zero. A "
            "release waits while its payer's balance is short of the reserve the scenario "
            "asks for (<code>funding.reserve_months</code> of its run rate).").format(n=view.n))
        secs.append(s)

    s = Section("kpis", "KPIs")
    fig, constant = planner.kpi_distributions(view)
    s.figure(fig, Markup(
        "One histogram per KPI that varies over the {n} ok runs, in the file's units "
        "(<code>long_name</code>, <code>units</code>); the red line and band are the mean and "
        "its 95% CI (the table's).").format(n=view.n))
    if constant:
        s.html(Markup('<p class="note"><b>The same in every run</b> (not plotted): ')
               + Markup("; ").join(Markup("{} (<code>{}</code>)").format(text, k)
                                   for k, text in constant) + Markup(".</p>"))
    s.para(Markup(KPI_NOTES) + Markup(" <code>kpis.csv</code> holds the table to 17 significant "
                                      "digits: what <code>mss summary --csv</code> prints."))
    kpi_table(s, res, table, start_s, id="kpis")
    secs.append(s)
    secs.append(provenance_section(res))
    return secs


def figure(res, fig_id: str, point: int | None = None):
    """One figure of the report by its id (`plot FIGURE`): a plain run's (of design point
    `point` of a sweep) or a sweep's; None when it has nothing to draw."""
    from analysis import planner
    if fig_id in ("filled", "reach", "dip", "contingents", "closures", "regimes", "timelines",
                  "money", "kpis"):
        if point is None and res.n_points > 1:
            raise InputError(f"{res.path}: a sweep of {res.n_points} design points: name one "
                             "with --point P (or draw a sweep figure)")
        mask = res.runs_of_point(point) if point is not None else None
        v = planner.View(res, mask)
        build = {"filled": planner.filled_figure, "reach": planner.reach_figure,
                 "dip": planner.dip_figure, "contingents": planner.contingent_figure,
                 "closures": planner.closure_figure, "regimes": planner.regime_figure,
                 "timelines": planner.timeline_figure, "money": planner.money_figure,
                 "kpis": lambda v: planner.kpi_distributions(v)[0]}[fig_id]
        return build(v)
    if fig_id == "optimize":
        if not res.is_optimize:
            raise InputError(f"{res.path}: not a file of `mss optimize` (no group /optimize), "
                             "so there is no optimisation figure")
        from analysis.optimization import optimize_figure
        return optimize_figure(res)
    from analysis import sweep
    return sweep.figure(res, fig_id)


# ------------------------------------------------------------------------------------------
# compare

def write_compare(a, b, outdir: str | Path | None, force: bool = False,
                  png: bool = False) -> tuple[pd.DataFrame, pd.DataFrame, list]:
    """B − A: the runs of A and B matched by (point, replication) (`stats.match_runs`) and the
    paired differences of every KPI per design point (`stats.compare_table`); writes
    compare.html and compare.csv (with `png`, the figures as PNGs) into outdir when given.
    Returns (pairs, table, files)."""
    pairs, kpis = stats.match_runs(a, b)
    if len(pairs) == 0:
        raise InputError(f"{a.path} and {b.path} have no run in common (runs are matched by "
                         "design point and replication)")
    if not kpis:
        raise InputError(f"{a.path} and {b.path} have no KPI column in common")
    table = stats.compare_table(pairs, kpis, a.kpi_units)
    if outdir is None:
        return pairs, table, []
    check_outdir(outdir, force, COMPARE_FILES[:2], "comparison")
    with staged(outdir, [a.path, b.path], force=force, owned=COMPARE_FILES,
                what="comparison") as tmp:
        files = _write_compare(a, b, pairs, table, tmp, png)
    return pairs, table, [Path(outdir) / p.name for p in files]


COMPARE_HEADER = ["KPI", "unit", "pairs", "A", "B", "B − A [95% CI]"]


def compare_blocks(a, pairs: pd.DataFrame, table: pd.DataFrame,
                   code=lambda k, s: k + s) -> list[tuple[str, list[list[str]]]]:
    """The rows of the compare table (COMPARE_HEADER), one block per design point: (title,
    rows). `pairs` m/ok (pairs with both values / pairs of ok runs), A and B the means over
    those m pairs, B − A the mean paired difference [paired 95% CI], `*` when it excludes 0;
    a first-day KPI has a `reached` row (the shares reaching it and their difference) and a
    `day if both reached` row. `code(kpi, suffix)` makes the first cell."""
    fn = stats.format_number
    ok = pairs[pairs["ok_a"].to_numpy(bool) & pairs["ok_b"].to_numpy(bool)]
    blocks = []
    for p, sub in table.groupby("point", sort=True):
        n_ok = int((ok["point"] == p).sum())
        rows = []
        for r in sub.to_dict("records"):
            if stats.kpi_meta(r["kpi"]).first_day:
                rows.append([code(r["kpi"], ": reached"), "1",
                             f"{int(r['reached_pairs'])}/{n_ok}", fn(r["reached_a"]),
                             fn(r["reached_b"]),
                             stats.contrast_text(r["reached_diff"], r["reached_diff_low"],
                                                 r["reached_diff_high"])])
                label = code(r["kpi"], ": day if both reached")
            else:
                label = code(r["kpi"], "")
            rows.append([label, r["unit"], f"{r['pairs']}/{n_ok}", fn(r["mean_a"]),
                         fn(r["mean_b"]),
                         stats.contrast_text(r["diff"], r["diff_low"], r["diff_high"])])
        desc = ", ".join(f"{f} = {v}" for f, v in zip(a.factors, stats.factor_text(a, p)))
        title = f"design point {p}" + (f" ({desc})" if desc else "") + f": {n_ok} pairs of ok runs"
        blocks.append((title, rows))
    return blocks


COMPARE_NOTES = (
    "Runs are paired by (point, replication), i.e. by run id, and only pairs where both runs "
    "are ok count (docs/statistics.md \"Paired contrasts\", B in the place of the point and "
    "A of the reference). Per design point and KPI: <code>pairs</code> m/ok, the pairs where "
    "both have a value out of the pairs of ok runs; A and B the means over those m pairs; "
    "B − A the mean paired difference with its paired 95% t-interval, clipped to the range a "
    "difference can take. For a first-day KPI the <i>reached</i> row gives the shares of the "
    "ok pairs reaching it and the paired difference of those shares, and the <i>day if both "
    "reached</i> row the difference in the day over the pairs where both reached it. "
    "<code>*</code>: the interval excludes 0; <code>-</code>: no value. Design points are "
    "never pooled.")


def _write_compare(a, b, pairs, table, out: Path, png: bool) -> list:
    from analysis import comparison
    files = [_write_text(out / "compare.csv", stats.csv_text(table))]
    same = bool((pairs["seed_a"] == pairs["seed_b"]).all())
    secs = comparison.compare_sections(a, b, pairs, table, same)
    figs = [f for s in secs for f in s.figures()]
    if png:
        _write_pngs(figs, out, files)
    title = f"mss-sim comparison: {b.scenario_name} (B) − {a.scenario_name} (A)"
    sub = [f"A = {a.path} ({a.n_runs} runs), B = {b.path} ({b.n_runs} runs); "
           f"{len(pairs)} runs matched by (point, replication); written {iso_today()}"]
    files.append(_write_html(out / "compare.html", render_page(title, sub, secs)))
    return files


def today() -> str:
    return dt.date.today().isoformat()
