"""Helpers shared by the analysis tests: reading report.md tables back, reference stats."""

from __future__ import annotations

import math
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as sps

from analysis.report import parse_fmt

KPI_HEADER = "| KPI | unit | mean | sd | 95% CI of the mean | min | max | n/runs |"


def read_summary_csv(source) -> pd.DataFrame:
    """A CSV in the format of `mss summary --csv` (a path, or the text itself): exact floats,
    NaN for empty number cells, units kept as text."""
    import io
    if isinstance(source, str) and "\n" in source:
        source = io.StringIO(source)
    return pd.read_csv(source, keep_default_na=False, float_precision="round_trip",
                       na_values={c: [""] for c in ("mean", "sd", "ci95_low", "ci95_high",
                                                    "min", "max")},
                       dtype={"kpi": str, "unit": str})


def md_kpi_table(md_path: Path) -> pd.DataFrame:
    """The KPI table of a report.md as numbers (display precision)."""
    lines = Path(md_path).read_text().splitlines()
    i = lines.index(KPI_HEADER)
    rows = []
    for line in lines[i + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        kpi, unit, mean, sd, ci, mn, mx, nr = cells
        if ci == "–":
            lo = hi = math.nan
        else:
            lo_s, hi_s = ci.strip("[]").split(", ")
            lo, hi = parse_fmt(lo_s), parse_fmt(hi_s)
        n, runs = (int(x) for x in nr.split("/"))
        rows.append({"kpi": kpi.strip("`"), "unit": unit, "mean": parse_fmt(mean),
                     "sd": parse_fmt(sd), "ci95_low": lo, "ci95_high": hi,
                     "min": parse_fmt(mn), "max": parse_fmt(mx), "n": n, "runs": runs})
    return pd.DataFrame(rows)


def shown_equal(shown: float, exact: float) -> bool:
    """True if `shown` is `exact` as the report displays it (6 significant digits, or a whole
    number from 100,000, or 4 significant digits below 0.001)."""
    if math.isnan(exact) or math.isnan(shown):
        return math.isnan(exact) and math.isnan(shown)
    a = abs(exact)
    if a == 0:
        return shown == 0
    if 1e5 <= a < 1e15:
        return abs(shown - exact) <= 0.5 + 1e-9 * a
    if a >= 1e-3:
        return abs(shown - exact) <= 5.0000001e-6 * a + 1e-12
    return abs(shown - exact) <= 5e-4 * a


def t975_reference(df: int) -> float:
    """The 0.975 quantile of Student's t by root finding on the upper tail, independently of
    scipy's `t.ppf` (inaccurate to ~4e-9 in scipy 1.10) and of analysis.stats.t975."""
    return optimize.brentq(lambda t: sps.t.sf(t, df) - 0.025, 0.0, 1e3, xtol=1e-15,
                           rtol=8.9e-16, maxiter=500)


def runs_table(path: Path):
    """The root's per-run variables of an mss-sim/2 file as one numpy structured array (run,
    point, replication, seed, status, wall_s, the KPIs of /run `kpis`, events_dropped), and
    KPI name -> units."""
    with h5py.File(path, "r") as f:
        kpis = [k.decode() if isinstance(k, bytes) else str(k) for k in f["run"].attrs["kpis"]]
        names = ["run", "point", "replication", "seed", "status", "wall_s", *kpis,
                 "events_dropped"]
        cols = {k: f[k][()] for k in names if k in f}
        units = {}
        for k in kpis:
            u = f[k].attrs.get("units", "")
            units[k] = u.decode() if isinstance(u, bytes) else str(u)
    out = np.zeros(len(cols["run"]), [(k, v.dtype) for k, v in cols.items()])
    for k, v in cols.items():
        out[k] = v
    return out, units


def reference_summary(path: Path, by_point: bool = False) -> pd.DataFrame:
    """KPI statistics computed directly from /runs with numpy and scipy (independently of
    the analysis package): n non-NaN, mean, sd (n-1), Student-t 95% CI, min, max; with
    by_point, one block per design point with a leading `point` column."""
    runs, units = runs_table(path)
    skip = {"run", "point", "replication", "seed", "status", "wall_s", "events_dropped"}
    if by_point or len(np.unique(runs["point"])) < 2:
        pass
    else:
        return replication_reference(runs, _reference_rows(runs, units, skip))
    if by_point:
        blocks = []
        for p in np.unique(runs["point"]):
            b = _reference_rows(runs[runs["point"] == p], units, skip)
            b.insert(0, "point", int(p))
            blocks.append(b)
        return pd.concat(blocks, ignore_index=True)
    return _reference_rows(runs, units, skip)


def replication_means_ci(values, replications) -> tuple[float, float]:
    """The Student-t 95% interval over replications of the replication means (each the mean
    of its non-NaN values over design points); replications without a value drop out. Only
    for data where every remaining replication has the same count of values (otherwise the
    package weights replications by their counts: see cluster_robust_ci)."""
    df = pd.DataFrame({"v": np.asarray(values, float), "r": np.asarray(replications)})
    df = df[~df["v"].isna()]
    m = df.groupby("r")["v"].mean().to_numpy()
    g = m.size
    if g < 2:
        return math.nan, math.nan
    half = t975_reference(g - 1) * m.std(ddof=1) / math.sqrt(g)
    return float(m.mean() - half), float(m.mean() + half)


def cluster_robust_ci(values, replications) -> tuple[float, float]:
    """Mean over the non-NaN values ± t(0.975, G − 1) times the CR1 cluster-robust standard
    error of a mean, clusters = replications (G of them with a value), by explicit loops."""
    v = np.asarray(values, float)
    r = np.asarray(replications)
    keep = ~np.isnan(v)
    v, r = v[keep], r[keep]
    mean = v.mean()
    groups = sorted(set(r.tolist()))
    g = len(groups)
    if g < 2:
        return math.nan, math.nan
    acc = 0.0
    for k in groups:
        e = (v[r == k] - mean).sum()
        acc += e * e
    se = math.sqrt(acc * g / (g - 1)) / v.size
    half = t975_reference(g - 1) * se
    return float(mean - half), float(mean + half)


def replication_reference(runs, table: pd.DataFrame) -> pd.DataFrame:
    """`table` (computed over all runs as if independent) with the pooled-sweep interval:
    clustered by replication (replication_means_ci, or cluster_robust_ci when counts
    differ between replications)."""
    table = table.copy()
    for i, k in enumerate(table["kpi"]):
        v = runs[k].astype(np.float64)
        reps = runs["replication"]
        counts = pd.Series(~np.isnan(v)).groupby(reps).sum()
        counts = counts[counts > 0]
        ci = (replication_means_ci(v, reps) if counts.nunique() <= 1
              else cluster_robust_ci(v, reps))
        table.loc[i, ["ci95_low", "ci95_high"]] = ci
    return table


def _reference_rows(runs, units, skip) -> pd.DataFrame:
    rows = []
    for k in runs.dtype.names:
        if k in skip:
            continue
        v = runs[k].astype(np.float64)
        v = v[~np.isnan(v)]
        n = v.size
        mean = float(v.mean()) if n else math.nan
        sd = float(v.std(ddof=1)) if n > 1 else math.nan
        half = t975_reference(n - 1) * sd / math.sqrt(n) if n > 1 else math.nan
        rows.append({"kpi": k, "unit": units.get(k, ""), "mean": mean, "sd": sd,
                     "ci95_low": mean - half, "ci95_high": mean + half,
                     "min": float(v.min()) if n else math.nan,
                     "max": float(v.max()) if n else math.nan, "n": n, "runs": len(runs)})
    return pd.DataFrame(rows)


def assert_tables_close(got: pd.DataFrame, want: pd.DataFrame, rel: float = 1e-12,
                        what: str = "") -> None:
    """Same KPIs in the same order (and points, if any), same n and runs, floats equal
    within `rel`."""
    assert list(got["kpi"]) == list(want["kpi"]), what
    if "point" in want.columns or "point" in got.columns:
        assert list(got["point"].astype(int)) == list(want["point"].astype(int)), what
    assert list(got["n"].astype(int)) == list(want["n"].astype(int)), what
    assert list(got["runs"].astype(int)) == list(want["runs"].astype(int)), what
    for col in ("mean", "sd", "ci95_low", "ci95_high", "min", "max"):
        g = got[col].to_numpy(np.float64)
        w = want[col].to_numpy(np.float64)
        assert np.array_equal(np.isnan(g), np.isnan(w)), f"{what} {col}: NaN pattern differs"
        ok = ~np.isnan(w)
        scale = np.maximum(np.abs(w[ok]), np.abs(want["mean"].to_numpy(np.float64)[ok]))
        bad = np.abs(g[ok] - w[ok]) > rel * np.where(np.isnan(scale), 1.0, scale) + 1e-300
        assert not bad.any(), (f"{what} {col} differs for "
                               f"{list(np.asarray(want['kpi'])[ok][bad])}: "
                               f"{g[ok][bad]} vs {w[ok][bad]}")
