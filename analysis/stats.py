"""Statistics over replications.

The statistics a person reads (docs/statistics.md, the contract `mss summary` implements in
C++ too): `KPIS`/`KPI_RANGE` (each KPI's unit, range and first-day flag, as
`model::kpi_columns()`), `format_number` (the one number format), `kpi_stats` (one KPI over
the `ok` runs of one design point), `summary_table` and `contrast_table` (the CSV columns of
`mss summary --csv` and `mss summary --vs R --csv`). They are pure functions of arrays and
DataFrames, independent of the results file format, and use scipy and statsmodels for every
number those give (`ttest_1samp`/`ttest_rel(...).confidence_interval()`,
`proportion_confint(method="wilson")`, `np.quantile(method="linear")`).

`compare_table` applies the paired rules of `contrast_table` to two files (runs matched by
design point and replication). The figures' own computations (fans, closures by operator
class, effect ranking) are in analysis.planner, analysis.sweep and analysis.comparison.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps
from statsmodels.stats.proportion import proportion_confint

from analysis.results import InputError

NAN = float("nan")
NEVER = math.inf


# ------------------------------------------------------------------------------------------
# What each KPI is (model::kpi_columns() in sim/model/observer.cpp)

@dataclass(frozen=True)
class Kpi:
    """A KPI column: its name, unit (`day`, `1` or `USD`), long name, the range its values
    can take (an interval never leaves it) and whether it is a first day that some runs never
    reach (NaN = never, beyond the horizon)."""

    name: str
    unit: str
    long_name: str
    lower: float = 0.0
    upper: float = math.inf
    first_day: bool = False


#: The run KPI columns of /runs in order, as `model::kpi_columns()` (a test parses that list
#: out of sim/model/observer.cpp and compares).
KPIS: tuple[Kpi, ...] = (
    Kpi("days_to_ioc", "day", "first day filled billets reach the IOC share of billets",
        0.0, math.inf, True),
    Kpi("days_to_foc", "day", "first day filled billets reach the FOC share of billets",
        0.0, math.inf, True),
    Kpi("mean_filled_frac", "1", "mean share of billets filled by an incumbent on duty",
        0.0, 1.0),
    Kpi("mean_strength_frac", "1", "mean headcount in theatre as a share of billets"),
    Kpi("shortfall_billet_days", "day", "billet-days not filled by an incumbent on duty"),
    Kpi("gap_person_days", "day", "billet-days below the floor after FOC"),
    Kpi("days_below_floor", "day", "days below the floor after FOC"),
    Kpi("min_filled_frac", "1", "lowest share of billets filled after FOC (the deepest dip)",
        0.0, 1.0),
    Kpi("overstay_person_days", "day", "person-days in theatre beyond tour end"),
    Kpi("flights_flown", "1", "sorties that landed in Haiti"),
    Kpi("flights_diverted", "1", "sorties that landed at an alternate"),
    Kpi("flights_cancelled", "1", "sorties that returned without landing in Haiti"),
    Kpi("pax_in", "1", "personnel who reached theatre"),
    Kpi("pax_out", "1", "personnel who landed home"),
    Kpi("airport_closed_days", "day", "days the main gateway was closed to every class"),
    Kpi("injured", "1", "personnel wounded"),
    Kpi("killed", "1", "personnel killed"),
    Kpi("medevacs", "1", "personnel evacuated by air"),
    Kpi("attrited", "1", "personnel lost to non-combat attrition"),
    Kpi("cost_usd", "USD", "airlift, transfer, per-diem, allowance and base cost"),
    Kpi("funds_held_person_days", "day", "person-days held for funds in the binding window"),
    Kpi("beds_held_person_days", "day", "person-days ready with no bed free in the binding window"),
    Kpi("lift_held_person_days", "day", "person-days waiting for a seat in the binding window"),
    Kpi("pipeline_billet_days", "day", "billet-days unfilled for want of the pledge pipeline"),
)

#: The per-contingent KPI columns of /contingent_kpis, as `model::contingent_kpi_columns()`.
CONTINGENT_KPIS: tuple[Kpi, ...] = (
    Kpi("days_to_foc", "day", "first day the contingent's filled billets reach the FOC share",
        0.0, math.inf, True),
    Kpi("mean_filled_frac", "1", "mean share of the contingent's billets filled", 0.0, 1.0),
    Kpi("mean_strength_frac", "1", "mean headcount as a share of the contingent's billets"),
    Kpi("overstay_person_days", "day", "person-days in theatre beyond tour end"),
    Kpi("pax_in", "1", "personnel who reached theatre"),
    Kpi("pipeline_days", "day", "first day the contingent's pledge pipeline is complete",
        0.0, math.inf, True),
)

#: The per-payer KPI columns (root variables `payer_<name>` [run, payer]), as
#: `model::payer_kpi_columns()`: a payer's ledger over the run (docs/model.md "Money").
PAYER_KPIS: tuple[Kpi, ...] = (
    Kpi("cost_usd", "USD", "costs accrued to the payer"),
    Kpi("paid_usd", "USD", "contributions the payer received"),
    Kpi("held_person_days", "day", "person-days releases waited for the payer's funds"),
    Kpi("days_held", "day", "days ending with a release waiting for the payer's funds"),
    Kpi("min_balance_usd", "USD", "lowest end-of-day balance of the payer", -math.inf),
    Kpi("end_balance_usd", "USD", "the payer's balance at the end of the horizon", -math.inf),
)

#: KPI name -> its Kpi.
KPI_META: dict[str, Kpi] = {k.name: k for k in KPIS}
#: KPI name -> (lower, upper): the range a value, and so an interval, can take.
KPI_RANGE: dict[str, tuple[float, float]] = {k.name: (k.lower, k.upper) for k in KPIS}
#: The first-day KPIs (NaN = never reached within the horizon).
FIRST_DAY: frozenset[str] = frozenset(k.name for k in KPIS if k.first_day)

#: Columns of `summary_table` (and of `mss summary --csv`), docs/statistics.md.
SUMMARY_CSV_COLUMNS = ["point", "kpi", "unit", "runs", "n", "reached", "reached_low",
                       "reached_high", "mean", "ci_low", "ci_high", "sd", "p10", "p50", "p90",
                       "min", "max"]
#: Columns of `contrast_table` (and of `mss summary --vs R --csv`).
CONTRAST_CSV_COLUMNS = ["point", "reference", "kpi", "unit", "pairs", "diff", "diff_low",
                        "diff_high", "reached_pairs", "reached_diff", "reached_diff_low",
                        "reached_diff_high"]

QUANTILES = (0.1, 0.5, 0.9)


def kpi_meta(name: str, unit: str = "") -> Kpi:
    """The Kpi of `name`; for a column the table does not know (a newer file), `unit` and no
    range (-inf, inf), not a first day."""
    return KPI_META.get(name) or Kpi(name, unit, name, -math.inf, math.inf, False)


# ------------------------------------------------------------------------------------------
# The one number format

def format_number(x) -> str:
    """A number as every table prints it (docs/statistics.md "One number format"): NaN `-`,
    +inf `never`, zero `0`; |x| >= 1000 after rounding to 4 significant digits: the integer
    (`%.0f`, ties to even) with commas; else 4 significant digits, trailing zeros and point
    removed; below 1e-4 (decimal exponent < -4) `%.3e`."""
    x = float(x)
    if x != x:
        return "-"
    if x == math.inf:
        return "never"
    if x == -math.inf:
        return "-inf"
    if x == 0.0:
        return "0"
    e = int(format(x, ".3e").rsplit("e", 1)[1])
    if e >= 3:
        return format(x, ",.0f")
    if e < -4:
        return format(x, ".3e")
    text = format(x, f".{3 - e}f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def csv_number(v) -> str:
    """A number as `--csv` prints it: an integer as is, a float with 17 significant digits
    (`format(x, ".17g")`), empty for NaN, `inf` for never."""
    if isinstance(v, (bool, np.bool_)):
        return str(int(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    return "" if v != v else format(v, ".17g")


def kpi_date(start_date: str, value: float) -> str:
    """A day index as a calendar date: start + floor(value) days (day 0 is the start date);
    `-` for NaN, `never` for inf."""
    import datetime as dt
    v = float(value)
    if v != v:
        return "-"
    if v == math.inf:
        return "never"
    return (dt.date.fromisoformat(start_date) + dt.timedelta(days=math.floor(v))).isoformat()


# ------------------------------------------------------------------------------------------
# One KPI over the ok runs of one design point

def never_quantile(values, p: float) -> float:
    """numpy's `linear` quantile (Hyndman and Fan type 7) of `values` where NaN is "never", a
    value beyond every other: sorted with the nevers last, h = (n - 1) p, the value is
    x[floor h] + (h - floor h)(x[floor h + 1] - x[floor h]), and inf (never) when the
    interpolation gives any weight to a never value. numpy cannot do this itself: its
    interpolation makes 0 * inf = NaN. On finite data it is numpy's quantile up to the
    last bits (numpy computes h as n p + 1 - p - 1 and interpolates from the nearer end).
    NaN when `values` is empty."""
    x = np.sort(np.where(np.isnan(np.asarray(values, np.float64)), math.inf,
                         np.asarray(values, np.float64)))
    n = x.size
    if n == 0:
        return NAN
    h = (n - 1) * p
    j = int(math.floor(h))
    g = h - j
    lo = float(x[j])
    if g == 0.0:
        return lo
    hi = float(x[j + 1])
    if math.isinf(lo) or math.isinf(hi):
        return math.inf
    return lo + g * (hi - lo)


def _clip(lo: float, hi: float, lower: float, upper: float) -> tuple[float, float]:
    return float(max(lo, lower)), float(min(hi, upper))


def _mean_sd_ci(x: np.ndarray, lower: float, upper: float) -> tuple[float, float, float, float]:
    """(mean, sd, ci_low, ci_high) of the finite values `x`: the arithmetic mean, the sample
    sd and the Student-t 95% interval of the mean (scipy `ttest_1samp(...)
    .confidence_interval()`), clipped to [lower, upper]. sd and the interval are NaN when
    n < 2. When every value is the same the mean is that value and sd 0 exactly (summation
    would leave rounding dust that prints as 1e-17)."""
    n = x.size
    if n == 0:
        return NAN, NAN, NAN, NAN
    if float(x.min()) == float(x.max()):
        v = float(x[0])
        return (v, NAN, NAN, NAN) if n < 2 else (v, 0.0, v, v)
    mean = float(np.mean(x))
    if n < 2:
        return mean, NAN, NAN, NAN
    sd = float(np.std(x, ddof=1))
    with warnings.catch_warnings():   # "precision loss" for nearly equal values: harmless
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = sps.ttest_1samp(x, 0.0).confidence_interval(0.95)
    lo, hi = _clip(float(ci.low), float(ci.high), lower, upper)
    return mean, sd, lo, hi


def wilson(k: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval of k successes in n trials (statsmodels
    `proportion_confint(k, n, alpha=0.05, method="wilson")`), exactly 0 at the low end when
    k = 0 and 1 at the high end when k = n, and within [0, 1]; NaN when n = 0."""
    if n == 0:
        return NAN, NAN
    lo, hi = proportion_confint(k, n, alpha=0.05, method="wilson")
    lo = 0.0 if k == 0 else min(max(float(lo), 0.0), 1.0)
    hi = 1.0 if k == n else min(max(float(hi), 0.0), 1.0)
    return lo, hi


def kpi_stats(values, lower: float = -math.inf, upper: float = math.inf,
              first_day: bool = False) -> dict:
    """The statistics of one KPI over the `ok` runs of one design point (`values`, one per
    run, NaN = no value; for a first-day KPI NaN = never reached), as docs/statistics.md
    "Per KPI": runs, n, reached, reached_low, reached_high, mean, ci_low, ci_high, sd, p10,
    p50, p90, min, max. For a first-day KPI, n is the number of runs reaching it, mean, sd
    and the interval are over those (conditional), and the quantiles, min and max are over
    all runs with never = inf; for any other KPI every statistic is over the n runs with a
    value (reached* NaN)."""
    v = np.asarray(values, dtype=np.float64).ravel()
    runs = int(v.size)
    has = ~np.isnan(v)
    x = v[has]
    n = int(x.size)
    mean, sd, ci_low, ci_high = _mean_sd_ci(x, lower, upper)
    out = {"runs": runs, "n": n, "reached": NAN, "reached_low": NAN, "reached_high": NAN,
           "mean": mean, "ci_low": ci_low, "ci_high": ci_high, "sd": sd}
    if first_day:
        if runs:
            out["reached"] = n / runs
            out["reached_low"], out["reached_high"] = wilson(n, runs)
        qs = [never_quantile(v, p) for p in QUANTILES]
        mn = float(x.min()) if n else (math.inf if runs else NAN)
        mx = (math.inf if n < runs else float(x.max())) if runs else NAN
    else:
        qs = ([float(q) for q in np.quantile(x, QUANTILES, method="linear")] if n
              else [NAN] * len(QUANTILES))
        mn, mx = (float(x.min()), float(x.max())) if n else (NAN, NAN)
    out.update({"p10": qs[0], "p50": qs[1], "p90": qs[2], "min": mn, "max": mx})
    return out


# ------------------------------------------------------------------------------------------
# Tables over a runs table (one row per run: point, replication, status, KPI columns)

def ok_mask(runs: pd.DataFrame) -> np.ndarray:
    """Runs whose status is ok: status 0, or the text `ok`."""
    st = runs["status"]
    if st.dtype.kind in "biu":
        return st.to_numpy() == 0
    return np.array([(s.decode() if isinstance(s, bytes) else str(s)) in ("ok", "0")
                     for s in st])


def kpi_columns_of(runs: pd.DataFrame) -> list[str]:
    """The KPI columns of a runs table: those of KPIS it has, in its order."""
    return [c for c in runs.columns if c in KPI_META]


def _check_kpis(runs: pd.DataFrame, kpis) -> list[str]:
    kpis = kpi_columns_of(runs) if kpis is None else list(kpis)
    missing = [k for k in kpis if k not in runs.columns]
    if missing:
        raise ValueError(f"no KPI column {', '.join(missing)} in the runs table")
    return kpis


def summary_table(runs: pd.DataFrame, kpis=None, *, ok=None, points=None,
                  units=None) -> pd.DataFrame:
    """One row per design point and KPI with the columns of `mss summary --csv`
    (SUMMARY_CSV_COLUMNS): `kpi_stats` of the KPI over the point's ok runs.

    `runs` is a DataFrame with `point`, `replication`, `status` (0 or `ok` = ok; or give `ok`,
    a boolean mask) and the KPI columns; `kpis` the KPI columns to summarise (default: every
    KPIS column it has, in its order); `points` the design points (default: those of `runs`,
    ascending; a point without runs has runs = 0); `units` KPI -> unit for columns KPIS does
    not know."""
    kpis = _check_kpis(runs, kpis)
    okm = ok_mask(runs) if ok is None else np.asarray(ok, bool)
    pts = sorted(int(p) for p in pd.unique(runs["point"])) if points is None else \
        [int(p) for p in points]
    pcol = runs["point"].to_numpy()
    rows = []
    for p in pts:
        sel = okm & (pcol == p)
        for k in kpis:
            m = kpi_meta(k, (units or {}).get(k, ""))
            s = kpi_stats(runs[k].to_numpy(np.float64)[sel], m.lower, m.upper, m.first_day)
            rows.append({"point": p, "kpi": k, "unit": m.unit, **s})
    t = pd.DataFrame(rows, columns=SUMMARY_CSV_COLUMNS)
    return t.astype({"point": "int64", "runs": "int64", "n": "int64"})


#: Columns of `payer_summary_table`: those of `summary_table` with the payer after the point.
PAYER_SUMMARY_COLUMNS = SUMMARY_CSV_COLUMNS[:1] + ["payer"] + SUMMARY_CSV_COLUMNS[1:]


def payer_summary_table(payer_kpis: pd.DataFrame, runs: pd.DataFrame, *, ok=None,
                        points=None) -> pd.DataFrame:
    """One row per design point, payer and payer KPI (PAYER_KPIS order, those `payer_kpis`
    has) with the columns of `summary_table` and `payer` after `point`: `kpi_stats` over the
    point's ok runs, each KPI clipped to its range (a balance may be negative). `payer_kpis`
    is `Results.payer_kpis` (run, payer, a column per KPI), `runs` the runs table (run, point,
    status; or give `ok`, a boolean mask over its rows: only its runs count); `points` as in
    `summary_table`. No rows when there is no payer."""
    okm = ok_mask(runs) if ok is None else np.asarray(ok, bool)
    pts = sorted(int(p) for p in pd.unique(runs["point"])) if points is None else \
        [int(p) for p in points]
    info = pd.DataFrame({"point": runs["point"].to_numpy(), "ok": okm},
                        index=runs["run"].to_numpy())
    kpis = [k for k in PAYER_KPIS if k.name in payer_kpis.columns]
    payers = list(payer_kpis["payer"].cat.categories) if len(payer_kpis) else []
    rows = []
    for p in pts:
        for payer in payers:
            sub = payer_kpis[(payer_kpis["payer"] == payer)
                             & payer_kpis["run"].isin(info.index)]
            at = info.loc[sub["run"].to_numpy()]
            sel = at["ok"].to_numpy(bool) & (at["point"].to_numpy() == p)
            for k in kpis:
                st = kpi_stats(sub[k.name].to_numpy(np.float64)[sel], k.lower, k.upper)
                rows.append({"point": p, "payer": payer, "kpi": k.name, "unit": k.unit, **st})
    t = pd.DataFrame(rows, columns=PAYER_SUMMARY_COLUMNS)
    return t.astype({"point": "int64", "runs": "int64", "n": "int64"})


def _paired_ci(a: np.ndarray, b: np.ndarray, lower: float, upper: float):
    """(mean of a - b, low, high): the paired t-interval (scipy `ttest_rel(a, b)
    .confidence_interval()`) clipped to [lower, upper]; the interval NaN with fewer than 2
    pairs, [d, d] when every difference is d."""
    d = a - b
    m = d.size
    if m == 0:
        return NAN, NAN, NAN
    if float(d.min()) == float(d.max()):
        v = float(d[0])
        return (v, NAN, NAN) if m < 2 else (v, v, v)
    mean = float(np.mean(d))
    if m < 2:
        return mean, NAN, NAN
    with warnings.catch_warnings():   # "precision loss" for nearly equal differences
        warnings.simplefilter("ignore", RuntimeWarning)
        ci = sps.ttest_rel(a, b).confidence_interval(0.95)
    lo, hi = _clip(float(ci.low), float(ci.high), lower, upper)
    return mean, lo, hi


def contrast_table(runs, reference: int, kpis=None, *, ok=None, points=None,
                   units=None) -> pd.DataFrame:
    """Paired contrasts of each design point against `reference` under common random numbers
    (docs/statistics.md "Paired contrasts"): one row per point other than the reference (or
    those of `points`) and KPI, with the columns of `mss summary --vs R --csv`
    (CONTRAST_CSV_COLUMNS). Run (P, r) is paired with run (R, r). `pairs`, `diff*`: the
    differences KPI(P, r) - KPI(R, r) over the replications where both runs are ok and have a
    value, their mean and paired t-interval clipped to [lower - upper, upper - lower]. For a
    first-day KPI also `reached_*`: over the replications where both runs are ok, the mean
    difference of the indicators "reached" and its paired t-interval clipped to [-1, 1].
    Arguments as `summary_table`; ValueError when the reference has no runs or a point has
    two runs of one replication."""
    kpis = _check_kpis(runs, kpis)
    okm = ok_mask(runs) if ok is None else np.asarray(ok, bool)
    reference = int(reference)
    all_points = sorted(int(p) for p in pd.unique(runs["point"]))
    if reference not in all_points:
        raise ValueError(f"reference point {reference} has no runs (points: "
                         f"{', '.join(map(str, all_points))})")
    pts = [p for p in all_points if p != reference] if points is None else \
        [int(p) for p in points]
    if runs.duplicated(["point", "replication"]).any():
        raise ValueError("the runs table has two runs of one (point, replication)")
    keep = ["replication"] + kpis
    ok_runs = runs[okm]
    ref = ok_runs[ok_runs["point"] == reference][keep]
    rows = []
    for p in pts:
        pair = ok_runs[ok_runs["point"] == p][keep].merge(ref, on="replication",
                                                          suffixes=("_p", "_r"))
        for k in kpis:
            m = kpi_meta(k, (units or {}).get(k, ""))
            rows.append({"point": p, "reference": reference, "kpi": k, "unit": m.unit,
                         **paired_contrast(pair[f"{k}_p"].to_numpy(np.float64),
                                           pair[f"{k}_r"].to_numpy(np.float64), m)})
    t = pd.DataFrame(rows, columns=CONTRAST_CSV_COLUMNS)
    return t.astype({"point": "int64", "reference": "int64", "pairs": "int64",
                     "reached_pairs": "float64"})


def paired_contrast(vp, vr, meta: Kpi) -> dict:
    """One KPI's paired contrast P - R (docs/statistics.md "Paired contrasts") over pairs of
    ok runs, vp[i] paired with vr[i] (NaN = no value; for a first-day KPI, never reached):
    `pairs` (m, the pairs where both have a value), `diff`, `diff_low`, `diff_high` (the mean
    of the m differences and its paired t-interval, clipped to [lower - upper, upper -
    lower]); for a first-day KPI also `reached_pairs` (every pair), `reached_diff*` (the
    difference in the share reaching it and its paired t-interval, clipped to [-1, 1]), NaN
    for the others. `contrast_table` and `compare_table` build on it."""
    vp = np.asarray(vp, np.float64)
    vr = np.asarray(vr, np.float64)
    both = ~np.isnan(vp) & ~np.isnan(vr)
    diff, lo, hi = _paired_ci(vp[both], vr[both], meta.lower - meta.upper,
                              meta.upper - meta.lower)
    out = {"pairs": int(both.sum()), "diff": diff, "diff_low": lo, "diff_high": hi,
           "reached_pairs": NAN, "reached_diff": NAN, "reached_diff_low": NAN,
           "reached_diff_high": NAN}
    if meta.first_day:
        rd, rlo, rhi = _paired_ci((~np.isnan(vp)).astype(np.float64),
                                  (~np.isnan(vr)).astype(np.float64), -1.0, 1.0)
        out.update({"reached_pairs": vp.size, "reached_diff": rd, "reached_diff_low": rlo,
                    "reached_diff_high": rhi})
    return out


#: Columns of `compare_table` (compare.csv of `python3 -m analysis compare`).
COMPARE_CSV_COLUMNS = ["point", "kpi", "unit", "pairs", "mean_a", "mean_b", "diff", "diff_low",
                       "diff_high", "reached_pairs", "reached_a", "reached_b", "reached_diff",
                       "reached_diff_low", "reached_diff_high"]


def match_runs(a, b) -> tuple[pd.DataFrame, list[str]]:
    """The runs of Results `a` and `b` matched by (point, replication) (the run id when both
    have the same replications per point): (pairs, kpis), pairs a DataFrame with point,
    replication, then seed, ok and every KPI common to both suffixed `_a` and `_b`, one row
    per run the two files have in common, ok or not; kpis those KPIs in `a`'s order.
    InputError when a file has two runs of one (point, replication)."""
    key = ["point", "replication"]
    for res in (a, b):
        if res.runs.duplicated(key).any():
            raise InputError(f"{res.path}: the file has several runs of the same (point, "
                             "replication), so runs cannot be matched")
    kpis = [k for k in a.kpi_names if k in b.kpi_names]
    sides = [res.runs[key + ["seed"] + kpis].assign(ok=res.ok) for res in (a, b)]
    pairs = sides[0].merge(sides[1], on=key, suffixes=("_a", "_b"), how="inner",
                           validate="one_to_one")
    return pairs.sort_values(key, kind="stable").reset_index(drop=True), kpis


def compare_table(pairs: pd.DataFrame, kpis, units=None) -> pd.DataFrame:
    """B - A per design point and KPI (COMPARE_CSV_COLUMNS) over the pairs of `match_runs`
    where both runs are ok, by the rules of `contrast_table` (`paired_contrast`, B in the place
    of P and A of R): `pairs`, `diff*` over the pairs where both have a value, `reached_*`
    for a first-day KPI over every ok pair. `mean_a`, `mean_b`: the means of A and of B over
    the same `pairs` pairs (NaN when there is none), so diff = mean_b - mean_a up to
    rounding; `reached_a`, `reached_b`: the shares of the ok pairs in which A, B reach a
    first-day KPI (NaN for the others). Points in ascending order, KPIs in `kpis` order."""
    ok = pairs[pairs["ok_a"].to_numpy(bool) & pairs["ok_b"].to_numpy(bool)]
    rows = []
    for p in sorted(int(x) for x in pd.unique(pairs["point"])):
        sub = ok[ok["point"].to_numpy() == p]
        for k in kpis:
            m = kpi_meta(k, (units or {}).get(k, ""))
            va = sub[f"{k}_a"].to_numpy(np.float64)
            vb = sub[f"{k}_b"].to_numpy(np.float64)
            both = ~np.isnan(va) & ~np.isnan(vb)
            row = {"point": p, "kpi": k, "unit": m.unit, **paired_contrast(vb, va, m),
                   "mean_a": float(np.mean(va[both])) if both.any() else NAN,
                   "mean_b": float(np.mean(vb[both])) if both.any() else NAN,
                   "reached_a": NAN, "reached_b": NAN}
            if m.first_day and va.size:
                row["reached_a"] = float(np.mean(~np.isnan(va)))
                row["reached_b"] = float(np.mean(~np.isnan(vb)))
            rows.append(row)
    t = pd.DataFrame(rows, columns=COMPARE_CSV_COLUMNS)
    return t.astype({"point": "int64", "pairs": "int64", "reached_pairs": "float64"})


def excludes_zero(low: float, high: float) -> bool:
    """True when the interval [low, high] lies wholly on one side of 0 (a contrast marked
    `*`); False when either end is NaN."""
    return (low > 0.0 and high > 0.0) or (low < 0.0 and high < 0.0)


def format_interval(v: float, lo: float, hi: float) -> str:
    """A value and its interval as the tables print them: `v [lo, hi]` with `format_number`;
    `v` alone when there is no interval, `-` when there is no value."""
    if v != v:
        return "-"
    if lo != lo:
        return format_number(v)
    return f"{format_number(v)} [{format_number(lo)}, {format_number(hi)}]"


def mean_text(row) -> str:
    """The mean cell of a `summary_table` row (a mapping): `mean [low, high]`, followed by
    ` if reached` for a first-day KPI (the mean over the runs reaching it) or ` *` when the
    mean is over fewer runs than the ok runs (conditional, docs/statistics.md)."""
    text = format_interval(row["mean"], row["ci_low"], row["ci_high"])
    if text == "-":
        return text
    if kpi_meta(row["kpi"]).first_day:
        return text + " if reached"
    return text + " *" if 0 < row["n"] < row["runs"] else text


def date_texts(start_date: str, row) -> list[str]:
    """The date line of a first-day KPI's `summary_table` row (a mapping), docs/statistics.md
    "Dates": the mean with its CI, P10, P50, P90, min and max as `kpi_date`s."""
    def d(v):
        return kpi_date(start_date, v)
    mean = "-" if row["mean"] != row["mean"] else d(row["mean"]) + (
        "" if row["ci_low"] != row["ci_low"] else f" [{d(row['ci_low'])}, {d(row['ci_high'])}]")
    return [mean] + [d(row[c]) for c in ("p10", "p50", "p90", "min", "max")]


def contrast_text(diff: float, low: float, high: float) -> str:
    """A paired difference and its interval, `diff [low, high]`, with ` *` when the interval
    excludes 0."""
    return format_interval(diff, low, high) + (" *" if excludes_zero(low, high) else "")


def factor_text(res, point: int) -> list[str]:
    """The factor values of design `point` of Results `res` as the tables print them
    (`format_number`, or the level's text for a factor whose values are not numbers); empty
    for a plain run."""
    fv, fl = res.factor_values, res.factor_labels
    return [fl[f].get(fv.loc[point, f], format_number(fv.loc[point, f])) if f in fl
            else format_number(fv.loc[point, f]) for f in res.factors]


def start_date_of(res) -> str:
    """The scenario's start date of Results `res` (day 0 of the date lines), from the file's
    `start_date` attribute, else the scenario's `start`; empty when neither is known."""
    start = getattr(res, "start_date", "") or ""
    if not start:
        sc = res.scenario.get("scenario", {}) if isinstance(res.scenario, dict) else {}
        start = str(sc.get("start", "")) if isinstance(sc, dict) else ""
    return start


def csv_text(table: pd.DataFrame) -> str:
    """CSV text of a table: a header, then every number as `csv_number` (text columns as
    they are)."""
    cols = list(table.columns)
    lines = [",".join(cols)]
    for row in table.itertuples(index=False):
        cells = []
        for c, v in zip(cols, row):
            if isinstance(v, str):
                cells.append(v)
            elif c in ("runs", "n", "pairs", "reached_pairs", "point", "reference") and \
                    isinstance(v, float) and v == v and v.is_integer():
                cells.append(str(int(v)))
            else:
                cells.append(csv_number(v))
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


@functools.lru_cache(maxsize=None)
def t975(df: int) -> float:
    """The 0.975 quantile of Student's t with `df` degrees of freedom.

    scipy 1.10's `t.ppf` is off by up to 4e-9 relative (df = 40: 2.02107538299 instead of
    2.02107539031); Boost.Math, which `mss summary` uses, is right to ~1e-15. Three Newton
    steps on the upper tail (`t.sf`, accurate) from scipy's estimate agree with Boost to
    within 4e-15 relative for every df from 1 to 3000 (checked against Boost and mpmath)."""
    t = float(sps.t.ppf(0.975, df))
    for _ in range(3):
        t += (float(sps.t.sf(t, df)) - 0.025) / float(sps.t.pdf(t, df))
    return t


# ------------------------------------------------------------------------------------------
# What binds (docs/model.md "What binds", docs/statistics.md "What binds")

#: The KPIs of what binds, in tie order, with the constraint each stands for.
BINDING = (("funds", "funds_held_person_days"), ("beds", "beds_held_person_days"),
           ("lift", "lift_held_person_days"), ("pipeline", "pipeline_billet_days"))


def binding_table(runs, ok=None) -> pd.DataFrame | None:
    """The share of ok runs in which each constraint binds: its KPI is the largest of the
    four (ties to the first in BINDING order; all zero, or a value missing: "nothing"), with
    the 95% Wilson interval, as `mss summary` prints it. None when the runs lack one of the
    four KPIs (a file written before them)."""
    names = [k for _, k in BINDING]
    if any(k not in runs for k in names):
        return None
    x = runs[names].to_numpy(np.float64)
    if ok is not None:
        x = x[np.asarray(ok, bool)]
    n = len(x)
    best = np.where(np.isnan(x).any(axis=1) | ~(np.nan_to_num(x) > 0).any(axis=1), len(names),
                    np.argmax(np.nan_to_num(x), axis=1))
    rows = []
    for i, name in enumerate([c for c, _ in BINDING] + ["nothing"]):
        k = int((best == i).sum())
        lo, hi = wilson(k, n) if n else (math.nan, math.nan)
        rows.append({"constraint": name, "kpi": names[i] if i < len(names) else "",
                     "runs": n, "binds": k, "share": k / n if n else math.nan, "share_low": lo,
                     "share_high": hi})
    return pd.DataFrame(rows)

