"""The planner's figures of one design point (a plain run, or `report --point P`).

Each function takes a `View` (the ok runs of a selection, with the arrays the figures share,
read once with h5py and computed with numpy over runs at once) and returns an
`analysis.figure.Figure` whose `data` holds the numbers drawn. The readiness figures read
*filled billets* (`/series/filled`, the KPIs' rule: a billet counts when its incumbent is on
duty); closures come from `/series/airport_closed` by operator class, never from the events,
so that they agree with the KPI `airport_closed_days`.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from statsmodels.stats.proportion import proportion_confint

from analysis import stats
from analysis.figure import (AUTH, BAN, BAND50, BAND90, CLOSED, FLOOR, FOC, HEADCOUNT, MEDIAN,
                             NEUTRAL, PALETTE, SHORTFALL, Axis, Figure, Panel, Ref, Span, Trace,
                             date_text, padded_range)
from analysis.results import InputError

#: Percentiles of the fan charts: the 90% band, the 50% band and the median.
FAN = (0.05, 0.25, 0.5, 0.75, 0.95)
#: Classes of /series/airport_closed (docs/results.md).
ALL = "all"


def fan(values: np.ndarray) -> np.ndarray:
    """The FAN percentiles over runs of values [run, day] (numpy's linear quantiles, the
    statistics contract's definition), as [5, day]."""
    v = np.asarray(values, dtype=np.float64)
    if v.shape[0] == 0:
        return np.full((len(FAN), v.shape[1]), np.nan)
    if np.isnan(v).any():
        return np.nanquantile(v, FAN, axis=0)
    return np.quantile(v, FAN, axis=0)


def wilson_arrays(k: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Wilson 95% intervals of k[i] successes in n trials (statsmodels, vectorised), with the
    contract's ends: exactly 0 below when k = 0 and 1 above when k = n."""
    k = np.asarray(k, dtype=np.float64)
    if n == 0:
        return np.full(k.shape, np.nan), np.full(k.shape, np.nan)
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    lo = np.where(k == 0, 0.0, np.clip(lo, 0.0, 1.0))
    hi = np.where(k == n, 1.0, np.clip(hi, 0.0, 1.0))
    return lo, hi


# ------------------------------------------------------------------------------------------
# Labels

def kpi_label(res, kpi: str) -> str:
    """A KPI in words: its `long_name` (the file's attribute, else the contract's), first
    letter capitalised."""
    name = res.attrs_of(kpi).get("long_name") or stats.kpi_meta(kpi).long_name or kpi
    return name[:1].upper() + name[1:]


#: Short names of the KPIs the sweep figures show.
SHORT = {"days_to_ioc": "IOC day", "days_to_foc": "FOC day",
         "mean_filled_frac": "Mean share of billets filled",
         "min_filled_frac": "Deepest dip after FOC", "gap_person_days": "Gap below the floor",
         "cost_usd": "Cost", "airport_closed_days": "Days the main gateway was closed"}


def short_label(res, kpi: str) -> str:
    """A short name of a KPI for a panel title (SHORT, else its long name)."""
    return SHORT.get(kpi) or kpi_label(res, kpi)


def kpi_format(res, kpi: str, values=None) -> str:
    """How a KPI's values read: `date` (a first day), `money` (USD), `percent` (a share of
    billets), `count` (whole numbers), else `number`."""
    meta = stats.kpi_meta(kpi, res.kpi_units.get(kpi, ""))
    unit = res.kpi_units.get(kpi, meta.unit)
    if meta.first_day:
        return "date"
    if unit == "USD":
        return "money"
    if kpi.endswith("_frac"):
        return "percent"
    if values is not None:
        v = np.asarray(values, np.float64)
        v = v[np.isfinite(v)]
        if v.size and (v == np.round(v)).all():
            return "count"
    return "count" if unit == "1" else "number"


def unit_words(res, kpi: str, fmt: str) -> str:
    """The unit of a KPI axis in words: `days`, `million USD`, `% of billets`, or nothing
    when the long name says it (counts of people, flights)."""
    unit = res.kpi_units.get(kpi, "")
    if fmt == "money":
        return "million USD"
    if fmt == "percent":
        return "% of billets" if "billets" in kpi_label(res, kpi) or kpi.endswith("filled_frac") \
            else "%"
    if fmt == "date":
        return "date"
    if unit == "day":
        return "days"
    return ""


def axis_label(res, kpi: str, fmt: str) -> str:
    u = unit_words(res, kpi, fmt)
    label = kpi_label(res, kpi)
    return f"{label} ({u})" if u and u != "date" else label


def value_text(fmt: str, v: float, start=None) -> str:
    """A value as a figure's text shows it: dates, $M, %, or the contract's number format."""
    if v != v:
        return "-"
    if v == math.inf:
        return "never"
    if fmt == "date" and start is not None:
        return date_text(start + np.timedelta64(int(math.floor(v)), "D"))
    if fmt == "money":
        return f"${v / 1e6:,.1f}M"
    if fmt == "percent":
        return f"{100 * v:.1f}%"
    return stats.format_number(v)


# ------------------------------------------------------------------------------------------
# The selection the figures draw

@dataclass
class Thresholds:
    """Authorised strength A (billets), the floor, and the IOC/FOC levels, in billets; None
    where the selection's points disagree (a pooled sweep) or the file does not say."""

    billets: dict | None
    total: float | None
    floor: float | None
    floor_frac: float | None
    ioc: float | None
    foc: float | None
    ioc_frac: float
    foc_frac: float
    note: str


class View:
    """The ok runs of a selection of `res` (a boolean mask over runs, default all), with the
    arrays the figures share. InputError when the selection has no ok run."""

    def __init__(self, res, mask=None, what: str = ""):
        self.res = res
        m = res.ok.copy()
        if mask is not None:
            m &= np.asarray(mask, bool)
        if not m.any():
            raise InputError(f"{res.path}: no successful run to plot (status ok) in the "
                             "selection")
        self.mask = m
        self.idx = np.flatnonzero(m)
        self.runs = res.runs.iloc[self.idx].reset_index(drop=True)
        self.n = len(self.idx)
        self.what = what
        self.dates = res.day_dates
        self.start = self.dates[0]

    # arrays over the selected runs
    @cached_property
    def filled(self) -> np.ndarray:
        """[run, day, contingent] filled billets."""
        return self.res.series_values("filled")[self.idx]

    @cached_property
    def filled_total(self) -> np.ndarray:
        return self.filled.sum(axis=2, dtype=np.float64)

    @cached_property
    def strength_total(self) -> np.ndarray:
        return self.res.series_values("strength")[self.idx].sum(axis=2, dtype=np.float64)

    @cached_property
    def closed(self) -> np.ndarray:
        """[run, day, operator_class] share of the day the main gateway was closed to the
        class (`all` = to every class at once)."""
        return self.res.series_values("airport_closed", self.res.main_airport)[self.idx]

    def closed_at(self, airport: str) -> np.ndarray:
        """[run, day, operator_class] of another airport (the whole series is read once)."""
        full = self.res.series_values("airport_closed")
        return full[self.idx, :, self.res.airports.index(airport)]

    @cached_property
    def regime(self) -> np.ndarray:
        return self.res.series_values("regime")[self.idx]

    @cached_property
    def payer_balance(self) -> np.ndarray:
        """[run, day, payer] each payer's balance (USD) at the end of the day."""
        return self.res.series_values("payer_balance")[self.idx]

    def kpi(self, name: str) -> np.ndarray:
        return self.runs[name].to_numpy(np.float64)

    @cached_property
    def table(self):
        """The contract's statistics of every KPI over these runs (`stats.summary_table`)."""
        return stats.summary_table(self.runs.assign(point=0), self.res.kpi_names,
                                   ok=np.ones(self.n, bool), units=self.res.kpi_units,
                                   points=[0]).set_index("kpi")

    @cached_property
    def thresholds(self) -> Thresholds:
        res = self.res
        auth = res.authorised(self.mask)
        ks = res.kpi_settings
        total = None if auth.total is None else float(auth.total)
        return Thresholds(auth.billets, total, auth.floor, auth.floor_frac,
                          None if total is None else ks.ioc_frac * total,
                          None if total is None else ks.foc_frac * total,
                          ks.ioc_frac, ks.foc_frac, auth.note)

    def date_of(self, day: float):
        """The date of a day value (start + floor(day)); None for NaN or never."""
        if day != day or math.isinf(day):
            return None
        return self.start + np.timedelta64(int(math.floor(day)), "D")


# ------------------------------------------------------------------------------------------
# Filled billets against authorised strength and the floor

def shortfall_below_floor(v: View) -> tuple[np.ndarray, np.ndarray, int]:
    """Per day, over the runs that reached FOC (those with a gap, `gap_person_days`): the
    mean shortfall below the floor, max(0, floor − filled) on days ≥ the run's FOC day, and
    the share of those runs below the floor; and how many runs that is. Summed over the
    days, the mean shortfall is the mean of the KPI `gap_person_days`."""
    th = v.thresholds
    foc = v.kpi("days_to_foc") if "days_to_foc" in v.runs else np.full(v.n, np.nan)
    reached = np.isfinite(foc)
    D = v.filled_total.shape[1]
    if th.floor is None or not reached.any():
        return np.zeros(D), np.zeros(D), int(reached.sum())
    tot = v.filled_total[reached]
    after = np.arange(D)[None, :] >= foc[reached][:, None]
    short = np.where(after, np.maximum(0.0, th.floor - tot), 0.0)
    below = after & (tot < th.floor)
    return short.mean(axis=0), below.mean(axis=0), int(reached.sum())


def closure_rows(v: View, closed: np.ndarray, classes: list[str]) -> dict[str, np.ndarray]:
    """Mean over runs of the share of each day the airport was closed: `every class` (the
    class `all`), and for each other class the part of the day it alone was closed while
    others could fly (a ban: closed to the class minus closed to all), keyed by words."""
    ci = {c: i for i, c in enumerate(classes)}
    out = {}
    if ALL in ci:
        out["closed to all classes"] = closed[:, :, ci[ALL]].mean(axis=0, dtype=np.float64)
    base = closed[:, :, ci[ALL]] if ALL in ci else 0.0
    for c in classes:
        if c == ALL:
            continue
        part = np.clip(closed[:, :, ci[c]] - base, 0.0, None).mean(axis=0, dtype=np.float64)
        out[f"ban on {c}"] = part
    return out


#: Colours of the closure areas: closed to every class grey, a ban on a class orange shades.
BAN_COLOURS = {"charter": "#fdae6b", "military": "#e6550d", "commercial": BAN}


def closure_colour(label: str) -> str:
    if label.startswith("ban on "):
        return BAN_COLOURS.get(label[len("ban on "):], BAN)
    return CLOSED


def _strip(v: View, rows: dict, title: str, weight: float = 0.3) -> Panel:
    """The closure rows of an airport as stacked areas over the days (a run-day is closed to
    every class or banned to some, never both, so the stack is the share of the day closed
    to some class), in % of the day, means over runs."""
    p = Panel(title, Axis("", "date", "date"),
              Axis("share of the day", fmt="percent", range=(0, 1.0)), weight=weight)
    for label, z in rows.items():
        p.traces.append(Trace("stack", label, v.dates, z, color=closure_colour(label),
                              opacity=0.85, hover="%{y:.0%} of the day (mean over runs)"))
    return p


def filled_figure(v: View) -> Figure:
    """Filled billets of all contingents: the fan over runs (median, 50% and 90% bands),
    authorised strength, the FOC level and the floor, the mean shortfall below the floor
    after FOC (shaded, its area the mean gap), IOC and FOC median dates and the FOC P10-P90
    span; below, the main gateway's closures to every class and its bans, per day."""
    res, th = v.res, v.thresholds
    q = fan(v.filled_total)
    hq = np.median(v.strength_total, axis=0)
    short, below, n_reached = shortfall_below_floor(v)
    top = max(float(np.nanmax(q[4])), th.total or 0.0)
    p = Panel("Filled billets, all contingents", Axis("", "date", "date"),
              Axis("billets filled (incumbent on duty)", fmt="count",
                   range=padded_range(0.0, top, 0.06)))
    p.traces += [
        Trace("band", "90% of runs (5th–95th percentile)", v.dates, q[4], q[0], color=BAND90,
              opacity=0.9, text=("5th percentile", "95th percentile"), hover="%{y:,.0f}"),
        Trace("band", "50% of runs (25th–75th percentile)", v.dates, q[3], q[1], color=BAND50,
              opacity=0.75, text=("25th percentile", "75th percentile"), hover="%{y:,.0f}"),
        Trace("line", "median", v.dates, q[2], color=MEDIAN, width=2, hover="%{y:,.0f}"),
        Trace("line", "headcount in theatre (median; click to show)", v.dates, hq,
              color=HEADCOUNT, dash="dot", visible=False, hover="%{y:,.0f}"),
    ]
    data = {"quantiles": q, "percentiles": FAN, "headcount_median": hq, "ymax": top}
    if th.total is not None:
        p.hlines.append(Ref(th.total, f"authorised strength: {th.total:,.0f} billets", AUTH,
                            "solid", 1.6))
        p.hlines.append(Ref(th.foc, f"FOC level: {100 * th.foc_frac:g}% of billets", FOC,
                            "dot", 1.4))
    if th.floor is not None:
        p.hlines.append(Ref(th.floor, f"floor: {100 * th.floor_frac:g}% of billets", FLOOR,
                            "dash", 1.4))
        if short.any():
            p.traces.append(Trace("band", "mean shortfall below the floor after FOC",
                                  v.dates, np.full_like(short, th.floor), th.floor - short,
                                  color=SHORTFALL, opacity=0.85))
    data.update(shortfall=short, below_floor=below, runs_reached_foc=n_reached)
    t = v.table
    marks = {}
    for kpi, label, colour in (("days_to_ioc", "IOC", NEUTRAL), ("days_to_foc", "FOC", AUTH)):
        if kpi not in t.index:
            continue
        r = t.loc[kpi]
        d50 = v.date_of(r["p50"])
        marks[kpi] = {k: v.date_of(r[k]) for k in ("p10", "p50", "p90")}
        if d50 is not None:
            p.vlines.append(Ref(d50, f"{label} median {date_text(d50)}", colour, "dashdot"))
    if "days_to_foc" in marks:
        m = marks["days_to_foc"]
        if m["p10"] is not None and m["p90"] is not None and m["p90"] > m["p10"]:
            p.spans.append(Span(m["p10"], m["p90"], "FOC between P10 and P90 of runs", FOC,
                                0.12))
    data["marks"] = marks
    panels = [p]
    rows = closure_rows(v, v.closed, res.operator_classes)
    shown = {k: z for k, z in rows.items() if k == "closed to all classes" or z.any()}
    panels.append(_strip(v, shown, f"{res.main_airport}, the main gateway: share of the day "
                         "closed"))
    data["closure_rows"] = {k: float(z.sum()) for k, z in shown.items()}
    fig = Figure("filled", "Filled billets against authorised strength and the floor", panels,
                 height=600, share_x=True, data=data)
    return fig


# ------------------------------------------------------------------------------------------
# P(IOC/FOC by date)

def reach_by_day(values: np.ndarray, days: int) -> np.ndarray:
    """For each day d: how many runs reached the first-day KPI by d (value <= d), from the
    runs' values (NaN = never)."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    d = np.clip(np.floor(v).astype(np.int64), 0, days)
    return np.cumsum(np.bincount(d, minlength=days + 1)[:days])


def reach_figure(v: View) -> Figure | None:
    """P(IOC by date) and P(FOC by date): the share of runs that have reached it by each day
    with its Wilson 95% band; FOC's P10, P50 and P90 dates marked."""
    D = len(v.dates)
    p = Panel("Share of runs that have reached it by each date", Axis("", "date", "date"),
              Axis("share of runs", fmt="percent", range=(0, 1.02)))
    data = {}
    t = v.table
    for kpi, label, colour, dash in (("days_to_ioc", "IOC", NEUTRAL, "dash"),
                                     ("days_to_foc", "FOC", AUTH, "solid")):
        if kpi not in v.runs:
            continue
        k = reach_by_day(v.kpi(kpi), D)
        share = k / v.n
        lo, hi = wilson_arrays(k, v.n)
        frac = getattr(v.thresholds, f"{label.lower()}_frac")
        name = f"P({label} by date): {100 * frac:g}% of billets filled"
        p.traces.append(Trace("band", f"{label}: 95% interval (Wilson)", v.dates, hi, lo,
                              color=colour, opacity=0.18, group=name))
        p.traces.append(Trace("step", name, v.dates, share, color=colour, dash=dash, width=2,
                              hover="%{y:.1%} of runs"))
        data[kpi] = {"reached_by_day": k, "share": share, "low": lo, "high": hi}
    if not data:
        return None
    if "days_to_foc" in t.index:
        r = t.loc["days_to_foc"]
        for q in ("p10", "p50", "p90"):
            d = v.date_of(r[q])
            if d is not None:
                p.vlines.append(Ref(d, f"FOC {q.upper()}: {date_text(d)}", AUTH, "dot", 1.1))
    return Figure("reach", "When is full strength reached? P(IOC) and P(FOC) by date", [p],
                  height=400, data=data)


# ------------------------------------------------------------------------------------------
# The dip during rotations

def dip_figure(v: View) -> Figure | None:
    """After FOC: the share of billets filled from the median FOC date on (the fan over runs,
    zoomed on the dips, with the floor), the share of runs below the floor on each day
    (each run from its own FOC day, as the gap KPI counts), and the distribution of the
    deepest dip (`min_filled_frac`) against the floor."""
    th = v.thresholds
    short, below, n_reached = shortfall_below_floor(v)
    if th.floor is None or n_reached == 0 or not th.total:
        return None
    foc50 = v.table.loc["days_to_foc", "p50"] if "days_to_foc" in v.table.index else math.nan
    d0 = int(foc50) if math.isfinite(foc50) else int(np.nanmin(v.kpi("days_to_foc")))
    d0 = min(max(d0, 0), len(v.dates) - 1)
    dates = v.dates[d0:]
    # each run counts from its own FOC day on (as the gap and the dip KPIs do)
    foc = v.kpi("days_to_foc")
    after = np.arange(d0, len(v.dates))[None, :] >= foc[:, None]   # NaN (never): False
    share = np.where(after, v.filled_total[:, d0:] / th.total, np.nan)
    share = share[after.any(axis=1)]
    with warnings.catch_warnings():   # a day on which no run has reached FOC yet
        warnings.simplefilter("ignore", RuntimeWarning)
        q = fan(share)
    low = min(float(np.nanmin(q[0])), th.floor_frac)
    p0 = Panel("Share of billets filled after FOC, each run from its own FOC day (from the "
               "median FOC date on): the dips during rotations", Axis("", "date", "date"),
               Axis("share of billets filled", fmt="percent",
                    range=(max(0.0, low - 0.25 * (1.0 - low) - 0.01), 1.004)))
    p0.traces += [
        Trace("band", "90% of runs (5th–95th percentile)", dates, q[4], q[0], color=BAND90,
              opacity=0.9, text=("5th percentile", "95th percentile"), hover="%{y:.1%}"),
        Trace("band", "50% of runs (25th–75th percentile)", dates, q[3], q[1], color=BAND50,
              opacity=0.75, text=("25th percentile", "75th percentile"), hover="%{y:.1%}"),
        Trace("line", "median", dates, q[2], color=MEDIAN, width=2, hover="%{y:.1%}")]
    p0.hlines.append(Ref(th.floor_frac, f"floor: {100 * th.floor_frac:g}% of billets", FLOOR,
                         "dash", 1.4))
    p1 = Panel(f"Runs below the floor after their own FOC, share of the {n_reached} runs that "
               "reached FOC", Axis("", "date", "date"),
               Axis("share of runs", fmt="percent",
                    range=(0, max(0.05, float(below[d0:].max()) * 1.15))), weight=0.6)
    p1.traces.append(Trace("bars", "runs below the floor that day", dates, below[d0:],
                           color=FLOOR, opacity=0.8, width=1.0, hover="%{y:.1%} of runs"))
    panels = [p0, p1]
    data = {"below_floor": below, "runs_reached_foc": n_reached, "quantiles": q,
            "from_day": d0}
    if "min_filled_frac" in v.runs:
        x = v.kpi("min_filled_frac")
        x = x[np.isfinite(x)]
        if x.size:
            p2 = Panel("Deepest dip after FOC, per run",
                       Axis("lowest share of billets filled on a day after the run's FOC",
                            fmt="percent"),
                       Axis("runs", fmt="count"), weight=0.6)
            centres, counts, width = histogram(x, "percent")
            p2.traces.append(Trace("bars", "runs", centres, counts, color=BAND50,
                                   width=width, hover="%{y} runs"))
            p2.vlines.append(Ref(th.floor_frac, f"floor {100 * th.floor_frac:g}%", FLOOR,
                                 "dash"))
            p2.vlines.append(Ref(float(np.median(x)), f"median {100 * np.median(x):.1f}%",
                                 MEDIAN, "dot"))
            lo = min(float(x.min()), th.floor_frac)
            p2.x.range = (lo - 0.02, 1.005)
            panels.append(p2)
            data["min_filled_frac"] = x
    return Figure("dip", "The dip during rotations", panels, height=330 + 230 * len(panels),
                  data=data)


def histogram(x: np.ndarray, fmt: str, max_bins: int = 40):
    """Bar centres, counts and width of a histogram of x: one bar per whole number when the
    values are whole and span at most `max_bins`, else numpy's `auto` bins (at most
    max_bins)."""
    x = np.asarray(x, np.float64)
    lo, hi = float(x.min()), float(x.max())
    if (x == np.round(x)).all() and hi - lo <= max_bins:
        edges = np.arange(lo - 0.5, hi + 1.5)
    else:
        edges = np.histogram_bin_edges(x, "auto")
        if len(edges) - 1 > max_bins:
            edges = np.linspace(lo, hi, max_bins + 1)
    counts, edges = np.histogram(x, edges)
    return (edges[:-1] + edges[1:]) / 2, counts, float(edges[1] - edges[0])


# ------------------------------------------------------------------------------------------
# Per contingent

def contingent_figure(v: View) -> Figure:
    """Filled billets of each contingent: median and bands over runs, its billets."""
    res, th = v.res, v.thresholds
    billets = th.billets or {}
    panels = []
    data = {}
    for j, c in enumerate(res.contingents):
        q = fan(v.filled[:, :, j])
        b = billets.get(c)
        top = max(float(np.nanmax(q[4])), float(b or 0))
        p = Panel(c + (f" ({b:,} billets)" if b is not None else ""), Axis("", "date", "date"),
                  Axis("billets filled", fmt="count", range=padded_range(0, top, 0.08)))
        p.traces += [
            Trace("band", "90% of runs (5th–95th percentile)", v.dates, q[4], q[0],
                  color=BAND90, opacity=0.9),
            Trace("band", "50% of runs (25th–75th percentile)", v.dates, q[3], q[1],
                  color=BAND50, opacity=0.75),
            Trace("line", "median", v.dates, q[2], color=MEDIAN, width=1.8, hover="%{y:,.0f}")]
        if b is not None:
            p.hlines.append(Ref(b, "the contingent's billets", AUTH, "solid", 1.4))
        panels.append(p)
        data[c] = q
    cols = 1 if len(panels) == 1 else 2 if len(panels) <= 4 else 3
    rows = math.ceil(len(panels) / cols)
    return Figure("contingents", "Filled billets per contingent", panels, cols=cols,
                  height=70 + 230 * rows, data=data)


# ------------------------------------------------------------------------------------------
# Money

def money_figure(v: View) -> Figure | None:
    """Each payer's balance at the end of each day (`/series/payer_balance`): median, 50% and
    90% bands over runs (the fan of the filled billets), and the zero line. None when the
    file has no payer."""
    res = v.res
    payers = res.payers
    if not payers:
        return None
    bal = v.payer_balance
    panels = []
    data = {"quantiles": {}, "percentiles": FAN}
    for j, name in enumerate(payers):
        q = fan(bal[:, :, j])
        lo, hi = min(0.0, float(np.nanmin(q[0]))), max(0.0, float(np.nanmax(q[4])))
        p = Panel(f"{name}: balance at the end of the day", Axis("", "date", "date"),
                  Axis("balance (million USD)", fmt="money",
                       range=padded_range(lo, hi, 0.06)))
        p.traces += [
            Trace("band", "90% of runs (5th–95th percentile)", v.dates, q[4], q[0],
                  color=BAND90, opacity=0.9, text=("5th percentile", "95th percentile")),
            Trace("band", "50% of runs (25th–75th percentile)", v.dates, q[3], q[1],
                  color=BAND50, opacity=0.75, text=("25th percentile", "75th percentile")),
            Trace("line", "median", v.dates, q[2], color=MEDIAN, width=1.8)]
        p.hlines.append(Ref(0.0, "zero balance", FLOOR, "dash", 1.3))
        panels.append(p)
        data["quantiles"][name] = q
    cols = 1 if len(panels) == 1 else 2
    rows = math.ceil(len(panels) / cols)
    return Figure("money", "Each payer's balance", panels, cols=cols, height=90 + 300 * rows,
                  data=data)


# ------------------------------------------------------------------------------------------
# Closures by operator class

def closure_figure(v: View) -> Figure:
    """The main gateway's closures by operator class from /series/airport_closed (mean over
    runs of the share of each day): closed to every class (the KPI airport_closed_days is
    its sum over the days) apart from bans on one class while others fly; other airports'
    closures to every class when they have any."""
    res = v.res
    classes = res.operator_classes
    rows = closure_rows(v, v.closed, classes)
    main_rows = {k: z for k, z in rows.items() if k == "closed to all classes" or z.any()}
    panels = [_strip(v, main_rows, f"{res.main_airport} (main gateway): share of each day "
                     "closed, mean over runs", 1.0)]
    data = {"main": {k: float(z.sum()) for k, z in main_rows.items()},
            "main_all_by_day": rows.get("closed to all classes"),
            "ban_by_day": {k: z for k, z in rows.items() if "ban on" in k}, "other": {}}
    others = {}
    for a in res.airports:
        if a == res.main_airport:
            continue
        z = closure_rows(v, v.closed_at(a), classes)
        z = {k: val for k, val in z.items() if val.any()}
        if z:
            others[a] = z
    if others:
        p = Panel("Other airports that closed to all classes: share of each day, mean over runs",
                  Axis("", "date", "date"), Axis("share of the day", fmt="percent"), weight=0.8)
        for i, (a, z) in enumerate(others.items()):
            for k, val in z.items():
                data["other"][f"{a}: {k}"] = float(val.sum())
                if k == "closed to all classes":
                    p.traces.append(Trace("line", f"{a} closed to all classes", v.dates, val,
                                          color=PALETTE[i % len(PALETTE)], width=1.2,
                                          hover="%{y:.0%} of the day"))
        if p.traces:
            panels.append(p)
    fig = Figure("closures", "Airport closures by operator class", panels, share_x=True,
                 height=330 + 230 * (len(panels) - 1), data=data)
    return fig


# ------------------------------------------------------------------------------------------
# Violence

REGIME_COLOURS = ["#41ab5d", "#fdae61", "#e6550d", "#a50f15", "#67000d"]


def regime_colours(n: int) -> list[str]:
    if n <= len(REGIME_COLOURS):
        return REGIME_COLOURS[:n] if n > 2 else [REGIME_COLOURS[0], REGIME_COLOURS[2]][:n]
    return [PALETTE[i % len(PALETTE)] for i in range(n)]


def regime_figure(v: View) -> Figure | None:
    """Share of runs in each violence regime at the end of each day (stacked), the regime's
    stationary share in its name; None when violence is off."""
    names = v.res.regime_names
    reg = v.regime
    if not names or (reg < 0).all():
        return None
    st = dict(zip(v.res.regimes["name"], v.res.regimes["stationary_share"]))
    cols = regime_colours(len(names))
    p = Panel("Violence regime at the end of the day, share of runs",
              Axis("", "date", "date"), Axis("share of runs", fmt="percent", range=(0, 1)))
    shares = {}
    for i, n in enumerate(names):
        s = (reg == i).mean(axis=0)
        shares[n] = s
        label = n + (f" (long-run share {100 * st[n]:.0f}%)" if n in st else "")
        p.traces.append(Trace("stack", label, v.dates, s, color=cols[i], opacity=0.85,
                              hover="%{y:.0%} of runs"))
    return Figure("regimes", "Violence", [p], height=330, data={"share": shares})


# ------------------------------------------------------------------------------------------
# Sample runs

#: Event kinds drawn on the timelines, by row: (row label, kinds, what the size counts).
EVENT_ROWS = (
    ("personnel landed in Haiti", ("landed",), "personnel"),
    ("personnel back home", ("returned_home",), "personnel"),
    ("reliefs requested (rotations)", ("relief_requested",), "reliefs"),
    ("sorties diverted or cancelled", ("diverted", "cancelled"), "sorties"),
    ("wounded or killed", ("wounded", "killed"), "personnel"),
)


def sample_runs(v: View, k: int = 3) -> list[tuple[int, str]]:
    """Up to k runs worth a look, as (index into the view, why): the deepest dip after FOC,
    a median one and the shallowest (min_filled_frac), or, when no run reached FOC, the
    lowest, median and highest mean share of billets filled."""
    for kpi, words in (("min_filled_frac", "dip after FOC"),
                       ("mean_filled_frac", "mean share of billets filled")):
        if kpi not in v.runs:
            continue
        x = v.kpi(kpi)
        ok = np.flatnonzero(np.isfinite(x))
        if ok.size == 0:
            continue
        order = ok[np.argsort(x[ok], kind="stable")]
        picks = [(int(order[0]), f"the deepest {words}" if kpi == "min_filled_frac"
                  else f"the lowest {words}"),
                 (int(order[len(order) // 2]), f"a median {words}"),
                 (int(order[-1]), f"the shallowest {words}" if kpi == "min_filled_frac"
                  else f"the highest {words}")]
        out, seen = [], set()
        for i, why in picks:
            if i not in seen:
                seen.add(i)
                out.append((i, why))
        return out[:k]
    return [(0, "the first run")]


def timeline_figure(v: View, picks=None) -> Figure:
    """A few runs one by one: filled billets with the floor; the main gateway's closures (to
    every class, and bans) and the violence regime from the series; arrivals, departures
    home, reliefs requested, diversions and casualties per day from the event log (when the
    scenario records events)."""
    res, th = v.res, v.thresholds
    picks = picks or sample_runs(v)
    ids = [int(v.runs["run"].iloc[i]) for i, _ in picks]
    events_on = res.output_settings["events"]
    ev = res.events_of(ids) if events_on else None
    D = len(v.dates)
    names = res.regime_names
    cols = regime_colours(len(names))
    panels = []
    data = {"runs": ids, "events": {}, "dropped": {}}
    for (i, why), rid in zip(picks, ids):
        rep = int(v.runs["replication"].iloc[i])
        title = f"Run {rid} (replication {rep}): {why}"
        p = Panel(title, Axis("", "date", "date"),
                  Axis("billets filled", fmt="count",
                       range=padded_range(0, max(float(v.filled_total[i].max()),
                                                 th.total or 0), 0.06)), weight=0.62)
        p.traces.append(Trace("line", "filled billets (this run)", v.dates, v.filled_total[i],
                              color=MEDIAN, width=1.8, hover="%{y:,.0f}"))
        p.traces.append(Trace("line", "headcount in theatre (this run)", v.dates,
                              v.strength_total[i], color=HEADCOUNT, dash="dot", width=1.2,
                              hover="%{y:,.0f}", visible=False))
        if th.total is not None:
            p.hlines.append(Ref(th.total, f"authorised strength: {th.total:,.0f} billets", AUTH,
                                "solid", 1.4))
        if th.floor is not None:
            p.hlines.append(Ref(th.floor, f"floor: {100 * th.floor_frac:g}% of billets", FLOOR,
                                "dash", 1.3))
        rows = []
        traces = []
        closed = closure_rows(v, v.closed[i:i + 1], res.operator_classes)
        for label, z in closed.items():
            if label != "closed to all classes" and not z.any():
                continue
            row = f"{res.main_airport} {label}"
            rows.append(row)
            traces.append(Trace("heat", x=v.dates, y=[row], z=z[None, :],
                                color=BAN if "ban on" in label else CLOSED,
                                hover="%{y}: %{z:.0%} of the day"))
        if names and not (v.regime[i] < 0).all():
            row = "violence regime"
            rows.append(row)
            z = v.regime[i].astype(np.float64)
            z[z < 0] = np.nan
            n = len(names)
            cs = []
            for j, c in enumerate(cols):
                cs += [[j / n, c], [(j + 1) / n, c]]
            traces.append(Trace("heat", x=v.dates, y=[row], z=z[None, :] + 0.5,
                                colorscale=cs, zmin=0.0, zmax=float(n),
                                text=[[names[int(r)] if r == r else "violence off"
                                       for r in v.regime[i].astype(np.float64)]],
                                hover="%{text}"))
            for j, nm in enumerate(names):   # legend entries for the regime colours
                traces.append(Trace("points", f"regime: {nm}", x=np.array([], "datetime64[D]"),
                                    y=[], color=cols[j], group=f"regime: {nm}"))
        if ev is not None:
            mine = ev[ev["run"] == rid]
            day = np.minimum((mine["t_h"].to_numpy() // 24).astype(np.int64), D - 1)
            kinds = mine["kind"].astype(str).to_numpy()
            counts = mine["count"].to_numpy(np.int64)
            per = {}
            for label, ks, unit in EVENT_ROWS:
                sel = np.isin(kinds, ks)
                if label.startswith("reliefs"):
                    c = np.bincount(day[sel], minlength=D)
                else:
                    c = np.bincount(day[sel], weights=counts[sel], minlength=D)
                per[label] = c
                rows.append(label)
                nz = np.flatnonzero(c)
                if nz.size:
                    size = 5 + 13 * np.sqrt(c[nz] / c[nz].max())
                    traces.append(Trace(
                        "points", x=v.dates[nz], y=[label] * nz.size, size=size,
                        color=PALETTE[len(rows) % len(PALETTE)], opacity=0.75,
                        text=[f"{date_text(v.dates[d])}: {int(c[d]):,} {unit}" for d in nz]))
            data["events"][rid] = per
            dropped = int(v.runs["events_dropped"].iloc[i]) if "events_dropped" in v.runs else 0
            data["dropped"][rid] = dropped
        q = Panel("", Axis("", "date", "date"), Axis("", "category", categories=rows),
                  traces, weight=0.06 * len(rows) + 0.04, xticks=True)
        panels += [p, q]
    fig = Figure("timelines", "Sample runs", panels, share_x=True, hovermode="closest",
                 height=sum(int(520 * p.weight) for p in panels) + 120, data=data)
    fig.data["events_on"] = events_on
    fig.data["picks"] = picks
    return fig


# ------------------------------------------------------------------------------------------
# KPI distributions

def kpi_distributions(v: View) -> tuple[Figure | None, list[tuple[str, str]]]:
    """A histogram per KPI that varies over the runs (the mean and its 95% CI marked, from
    the contract's table), and the KPIs that take one value in every run as (KPI, text),
    listed instead of plotted."""
    res = v.res
    panels = []
    constant = []
    data = {}
    for k in res.kpi_names:
        x = v.kpi(k)
        vals = x[np.isfinite(x)]
        fmt = kpi_format(res, k, vals)
        label = kpi_label(res, k)
        r = v.table.loc[k]
        if vals.size == 0:
            constant.append((k, f"{label}: no value in any of the {v.n} runs"))
            continue
        if vals.min() == vals.max():
            never = v.n - vals.size
            text = f"{label} = {value_text(fmt, float(vals[0]), v.start)}"
            if never:
                text += f" in {vals.size} runs ({never} never reached it)"
            constant.append((k, text))
            continue
        if fmt == "date":
            d = np.floor(vals)
            centres, counts, width = histogram(d, "count", 60)
            xs = v.start + np.round(centres).astype(np.int64).astype("timedelta64[D]")
            xa = Axis("date reached", "date", "date")
            tr = Trace("bars", "runs", xs, counts, color=BAND50, width=max(1.0, width),
                       hover="%{y} runs")
            never = v.n - vals.size
            title = label + (f" — {never} of {v.n} runs never reached it" if never else "")
        else:
            centres, counts, width = histogram(vals, fmt)
            xa = Axis(unit_words(res, k, fmt), fmt=fmt)
            tr = Trace("bars", "runs", centres, counts, color=BAND50, width=width,
                       hover="%{y} runs")
            title = label
        p = Panel(title, xa, Axis("runs", fmt="count"), [tr])
        mean, lo, hi = float(r["mean"]), float(r["ci_low"]), float(r["ci_high"])
        if fmt == "date":
            conv = v.date_of
        else:
            def conv(val):
                return val
        if mean == mean:
            p.vlines.append(Ref(conv(mean), "mean" + (" if reached" if fmt == "date" else ""),
                                FLOOR, "solid", 1.4))
            if lo == lo and hi > lo and conv(hi) != conv(lo):
                p.spans.append(Span(conv(lo), conv(hi), "95% CI of the mean", FLOOR, 0.18))
        panels.append(p)
        data[k] = {"centres": centres, "counts": counts, "fmt": fmt}
    if not panels:
        return None, constant
    cols = 3 if len(panels) > 4 else 2 if len(panels) > 1 else 1
    rows = math.ceil(len(panels) / cols)
    fig = Figure("kpis", "KPI distributions over runs", panels, cols=cols,
                 height=80 + 250 * rows, hovermode="closest", data=data)
    return fig, constant
