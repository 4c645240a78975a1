"""Statistics over replications: the KPI table of `mss summary`, paired differences, and the
sensitivity ranking of sweep factors.

`summarise` reproduces sim/experiment/summary.cpp operation for operation: Welford's running
mean and sum of squared deviations (kernel::Tally::add) over the values that are not NaN,
sample sd with divisor n - 1, and the Student-t 95% interval mean ± t(0.975, n-1)·sd/√n
(scipy's quantile, refined, where the simulator uses Boost.Math's: see t975). Python floats
are IEEE doubles and the simulator is built with -ffp-contract=off, so n, mean, sd, min and
max are bit-identical to the simulator's; the interval bounds agree to ~1e-14 relative (the
two t quantiles differ in the last few bits).
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

from analysis.results import InputError

NAN = float("nan")

SUMMARY_COLUMNS = ["kpi", "unit", "mean", "sd", "ci95_low", "ci95_high", "min", "max", "n",
                   "runs"]


@dataclass
class KpiSummary:
    """One KPI over runs; NaN where undefined (mean/min/max: n == 0; sd and CI: n < 2)."""

    kpi: str
    unit: str
    mean: float
    sd: float
    ci95_low: float
    ci95_high: float
    min: float
    max: float
    n: int      # runs with a value (not NaN)
    runs: int   # runs considered


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


def summarise(kpi: str, unit: str, values) -> KpiSummary:
    """Mean, sd, 95% CI of the mean, min, max and counts of `values`, NaN excluded."""
    vals = np.asarray(values, dtype=np.float64).ravel()
    count = 0
    mean = 0.0
    m2 = 0.0
    lo = math.inf
    hi = -math.inf
    for x in vals.tolist():
        if x != x:  # NaN: no value
            continue
        count += 1
        delta = x - mean
        mean += delta / count
        m2 += delta * (x - mean)
        if x < lo:
            lo = x
        if x > hi:
            hi = x
    if count == 0:
        return KpiSummary(kpi, unit, NAN, NAN, NAN, NAN, NAN, NAN, 0, len(vals))
    sd = math.sqrt(m2 / (count - 1)) if count > 1 else NAN
    if count > 1:
        half = t975(count - 1) * sd / math.sqrt(count)
        ci = (mean - half, mean + half)
    else:
        ci = (NAN, NAN)
    return KpiSummary(kpi, unit, mean, sd, ci[0], ci[1], lo, hi, count, len(vals))


def replication_ci(mean: float, values, replications) -> tuple[float, float, int]:
    """The 95% interval of `mean` (the mean of the non-NaN `values`) when the values are
    clustered by replication, as the runs of a sweep are under common random numbers (a run's
    random numbers depend on its seed and replication, not on its design point): the runs of
    one replication at different points are correlated, so only the replications are
    independent. Returns (low, high, replications with a value).

    The interval is mean ± t(0.975, G − 1) · se over the G replications that have at least one
    value (a replication whose values are all NaN drops out), with the cluster-robust
    standard error se² = G/(G − 1) · Σ_r (S_r − mean · n_r)² / N² (S_r, n_r: sum and count of
    the values of replication r, N = Σ n_r). When every replication has the same number of
    values (no NaN) this is exactly the Student-t interval of the G replication means, each
    the average over the design points; with NaN it stays centred on `mean` and weights a
    replication by its count of values. NaN bounds when G < 2."""
    v = np.asarray(values, dtype=np.float64).ravel()
    reps = np.asarray(replications).ravel()
    has = ~np.isnan(v)
    v, reps = v[has], reps[has]
    if v.size == 0 or mean != mean:
        return NAN, NAN, 0
    keys, inv = np.unique(reps, return_inverse=True)
    g = len(keys)
    if g < 2:
        return NAN, NAN, g
    sums = np.bincount(inv, weights=v, minlength=g)
    counts = np.bincount(inv, minlength=g).astype(np.float64)
    n = float(counts.sum())
    dev = sums - mean * counts
    se = math.sqrt(g / (g - 1) * float(dev @ dev)) / n
    half = t975(g - 1) * se
    return mean - half, mean + half, g


def summarise_runs(kpi: str, unit: str, values, points, replications) -> KpiSummary:
    """`summarise` of the values of some runs with their design points and replications.
    Over one design point it is `summarise` itself (as `mss summary`). Over several points
    (a sweep pooled) mean, sd, min, max and n are still over the runs, but the 95% interval
    of the mean is `replication_ci`: under common random numbers the runs of one replication
    at different points are not independent."""
    s = summarise(kpi, unit, values)
    if len(np.unique(np.asarray(points))) > 1 and s.n > 0:
        s.ci95_low, s.ci95_high, _ = replication_ci(s.mean, values, replications)
    return s


def summary_table(res, by_point: bool = False, mask=None) -> pd.DataFrame:
    """The KPI table of `mss summary` for a Results: one row per KPI (with `point` first
    when by_point). `mask` selects runs (default: all runs, as `mss summary`). A table over
    several design points (a sweep pooled) has the interval of `summarise_runs`: clustered
    by replication, from the replication means over points."""
    runs = res.runs if mask is None else res.runs[np.asarray(mask)]
    rows = []
    groups = runs.groupby("point", sort=True) if by_point else [(None, runs)]
    for point, sub in groups:
        for k in res.kpi_names:
            d = asdict(summarise_runs(k, res.kpi_units.get(k, ""), sub[k].to_numpy(),
                                      sub["point"].to_numpy(), sub["replication"].to_numpy()))
            if by_point:
                d = {"point": int(point), **d}
            rows.append(d)
    cols = (["point"] if by_point else []) + SUMMARY_COLUMNS
    return pd.DataFrame(rows, columns=cols)


def csv_number(v) -> str:
    """A number as `mss summary --csv` prints it: %.17g, empty for NaN."""
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    return "" if v != v else "%.17g" % v


def summary_csv(table: pd.DataFrame) -> str:
    """CSV text in the format of `mss summary --csv` (extra leading columns kept)."""
    cols = list(table.columns)
    lines = [",".join(cols)]
    for row in table.itertuples(index=False):
        cells = []
        for c, v in zip(cols, row):
            cells.append(str(v) if c in ("kpi", "unit") else csv_number(v))
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------------------
# Paired differences (common random numbers)

def paired_differences(a, b) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Matches the runs of Results `a` and `b` by (point, replication) and returns
    (per_run, table): per_run has point, replication, and for every KPI common to both the
    difference b - a (NaN when either has no value); table summarises each KPI's
    difference like `summarise`, plus the means of a and b over the same pairs and the
    counts of pairs where only one side has a value.

    When the pairs span several design points (two sweeps of the same design), the pairs of
    one replication at different points share their random numbers and are not independent:
    the 95% interval of the mean difference is then `replication_ci` (the differences
    averaged over points within each replication, then a t-interval over replications).
    Over one point it is the usual t-interval of the differences."""
    key = ["point", "replication"]
    for res in (a, b):
        if res.runs.duplicated(key).any():
            raise InputError(f"{res.path}: /runs has several runs of the same (point, "
                             "replication), so runs cannot be matched")
    kpis = [k for k in a.kpi_names if k in b.kpi_names]
    ra = a.runs[key + ["seed"] + kpis]
    rb = b.runs[key + ["seed"] + kpis]
    m = ra.merge(rb, on=key, suffixes=("_a", "_b"), how="inner", validate="one_to_one")
    per_run = m[key].copy()
    rows = []
    for k in kpis:
        va = m[f"{k}_a"].to_numpy(np.float64)
        vb = m[f"{k}_b"].to_numpy(np.float64)
        d = vb - va
        per_run[k] = d
        both = ~np.isnan(va) & ~np.isnan(vb)
        s = summarise_runs(k, a.kpi_units.get(k, ""), d, m["point"].to_numpy(),
                           m["replication"].to_numpy())
        rows.append({
            "kpi": k, "unit": s.unit,
            "mean_a": float(np.mean(va[both])) if both.any() else NAN,
            "mean_b": float(np.mean(vb[both])) if both.any() else NAN,
            "mean_diff": s.mean, "sd_diff": s.sd,
            "ci95_low": s.ci95_low, "ci95_high": s.ci95_high,
            "min_diff": s.min, "max_diff": s.max,
            "n": s.n, "pairs": len(d),
            "only_a": int((~np.isnan(va) & np.isnan(vb)).sum()),
            "only_b": int((np.isnan(va) & ~np.isnan(vb)).sum()),
        })
    per_run.attrs["same_seeds"] = bool((m["seed_a"] == m["seed_b"]).all())
    table = pd.DataFrame(rows)
    table.attrs["points"] = int(m["point"].nunique())
    return per_run, table


# ------------------------------------------------------------------------------------------
# Sensitivity: standardised regression coefficients

@dataclass
class Sensitivity:
    """Standardised regression coefficients of one KPI on the sweep factors."""

    kpi: str
    n: int                    # runs used (KPI not NaN)
    r2: float                 # R² of the linear model
    coef: dict                # factor -> SRC (NaN for a factor with one value)
    ci95: dict                # factor -> (low, high)
    note: str = ""

    def ranking(self) -> list[str]:
        """Factors by decreasing |SRC| (constant factors last)."""
        return sorted(self.coef, key=lambda f: (-abs(self.coef[f])
                                                if self.coef[f] == self.coef[f] else 1.0))


def sensitivity(res, kpi: str, mask=None) -> Sensitivity:
    """Standardised regression coefficients (SRC) of `kpi` on the sweep factors, over runs.

    Every run is one observation: y = the run's KPI, x = its design point's factor values.
    Both are standardised (z-scores) and y is regressed on all factors at once by least
    squares; a coefficient is the change in y, in standard deviations, per standard
    deviation of the factor, the other factors held fixed. For a grid (orthogonal) design
    it equals the correlation. R² says how much of the run-to-run variance the linear model
    explains. The 95% interval uses cluster-robust (CR1 sandwich) standard errors with the
    replications as clusters and t(0.975, G − 1), G = replications with a value: under common
    random numbers the runs of one replication are correlated across points, so they are not
    independent observations (NaN with fewer than 2 replications)."""
    factors = list(res.factors)
    runs = res.runs if mask is None else res.runs[np.asarray(mask)]
    pts = res.factor_values
    y = runs[kpi].to_numpy(np.float64)
    X = pts.loc[runs["point"].to_numpy(), factors].to_numpy(np.float64) if factors else \
        np.zeros((len(runs), 0))
    keep = ~np.isnan(y) & ~np.isnan(X).any(axis=1)
    y, X = y[keep], X[keep]
    nan_coef = {f: NAN for f in factors}
    nan_ci = {f: (NAN, NAN) for f in factors}
    if len(y) < 3:
        return Sensitivity(kpi, len(y), NAN, nan_coef, nan_ci, "fewer than 3 runs with a value")
    sy = y.std(ddof=1)
    if not sy > 0:
        return Sensitivity(kpi, len(y), NAN, nan_coef, nan_ci, "the KPI does not vary")
    sx = X.std(axis=0, ddof=1) if X.shape[1] else np.zeros(0)
    used = [j for j in range(X.shape[1]) if sx[j] > 0]
    if not used:
        return Sensitivity(kpi, len(y), NAN, nan_coef, nan_ci, "no factor varies")
    Z = (X[:, used] - X[:, used].mean(axis=0)) / sx[used]
    zy = (y - y.mean()) / sy
    D = np.column_stack([np.ones(len(zy)), Z])
    beta, *_ = np.linalg.lstsq(D, zy, rcond=None)
    resid = zy - D @ beta
    dof = len(zy) - D.shape[1]
    ss_res = float(resid @ resid)
    r2 = 1.0 - ss_res / float(zy @ zy)
    coef = dict(nan_coef)
    ci = dict(nan_ci)
    reps = runs["replication"].to_numpy()[keep]
    keys, inv = np.unique(reps, return_inverse=True)
    g = len(keys)
    if dof > 0 and g > 1:
        # Cluster-robust (CR1) sandwich, clusters = replications: under common random
        # numbers the runs of one replication at different points share their random numbers,
        # so their residuals are correlated; the replications are independent.
        bread = np.linalg.pinv(D.T @ D)
        scores = np.zeros((g, D.shape[1]))
        np.add.at(scores, inv, D * resid[:, None])
        meat = scores.T @ scores
        corr = g / (g - 1) * (len(zy) - 1) / dof
        cov = corr * bread @ meat @ bread
        se = np.sqrt(np.clip(np.diag(cov), 0, None))
        q = t975(g - 1)
    else:
        se = np.full(D.shape[1], NAN)
        q = NAN
    for i, j in enumerate(used):
        b = float(beta[i + 1])
        coef[factors[j]] = b
        ci[factors[j]] = (b - q * se[i + 1], b + q * se[i + 1])
    return Sensitivity(kpi, len(y), r2, coef, ci)


# ------------------------------------------------------------------------------------------
# Closures of the main airport

def closed_days(res, mask=None) -> np.ndarray:
    """Boolean [run, day]: the main airport was closed at some time of the day, from
    /series/airport_open < 1 or from a closure_start/closure_end window in /events at the
    main airport (nested closures: closed while any applies; an unended one lasts to the
    horizon). Failed runs (NaN series, no events) are never closed."""
    s = res.series
    main = res.main_airport
    if main not in res.airports:
        raise ValueError(f"main airport {main!r} is not among the file's airports {res.airports}")
    ao = s["airport_open"].sel(airport=main).values  # [run, day]
    closed = np.asarray(ao < 1.0)                     # NaN compares False
    D = closed.shape[1]
    ev = res.events
    if len(ev):
        sel = ev[ev["kind"].isin(["closure_start", "closure_end"]) & (ev["airport"] == main)]
        run_index = {int(r): i for i, r in enumerate(s["run"].values)}
        for run, g in sel.groupby("run", sort=False):
            i = run_index.get(int(run))
            if i is None:
                continue
            depth = 0
            opened_at = 0.0
            for t, kind in zip(g["t_h"].to_numpy(), g["kind"].astype(str).to_numpy()):
                if kind == "closure_start":
                    if depth == 0:
                        opened_at = t
                    depth += 1
                elif depth > 0:
                    depth -= 1
                    if depth == 0:
                        _mark(closed[i], opened_at, t, D)
            if depth > 0:
                _mark(closed[i], opened_at, D * 24.0, D)
    if mask is not None:
        closed = closed[np.asarray(mask)]
    return closed


def _mark(row: np.ndarray, start_h: float, end_h: float, days: int) -> None:
    if end_h <= start_h:
        return
    d0 = max(0, int(math.floor(start_h / 24.0)))
    d1 = min(days, int(math.ceil(end_h / 24.0)))
    row[d0:d1] = True


def regime_share(res, mask=None) -> pd.DataFrame:
    """Share of runs in each violence regime per day: DataFrame [day, regime name]
    (empty when violence is off)."""
    reg = res.series["regime"].values
    if mask is not None:
        reg = reg[np.asarray(mask)]
    names = res.regime_names
    if reg.size == 0 or not names or (reg < 0).all():
        return pd.DataFrame()
    n = reg.shape[0]
    data = {name: (reg == i).sum(axis=0) / n for i, name in enumerate(names)}
    return pd.DataFrame(data, index=np.arange(reg.shape[1]))
