"""Synthetic mss-sim/2 results files for tests of the analysis code itself.

The layout follows docs/results.md and sim/output/results_writer.cpp: root attributes,
/scenario attrs, the root's per-run variables over the `run` dimension (KPIs, `contingent_*`
over run x contingent), factors over `design_point`, the /regimes group, /tables/events (with
an HDF5 enum for `kind`), and /series with netCDF-4 style dimension scales (`run`, `time` with
CF units, `contingent`, `airport`, `operator_class`). The numbers
come from a toy model (a logistic build-up dented by airport closures) so that plots have
something to show; they mean nothing. Tests that compare with the simulator itself use the
real binary instead (see conftest.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import h5py
import numpy as np

KPI_COLUMNS = [
    ("days_to_ioc", "day"),
    ("days_to_foc", "day"),
    ("mean_strength_frac", "1"),
    ("gap_person_days", "person-day"),
    ("overstay_person_days", "person-day"),
    ("flights_flown", "sortie"),
    ("flights_diverted", "sortie"),
    ("flights_cancelled", "sortie"),
    ("pax_in", "person"),
    ("pax_out", "person"),
    ("airport_closed_days", "day"),
    ("injured", "person"),
    ("killed", "person"),
    ("medevacs", "person"),
    ("attrited", "person"),
    ("cost_usd", "USD"),
]

EVENT_KINDS = [
    "batch_ready", "sortie_launched", "landed", "diverted", "cancelled", "returned_home",
    "medevac_flight", "closure_start", "closure_end", "link_cut", "link_restored",
    "regime_change", "attack", "wounded", "killed", "attrited", "relief_requested",
    "pledge_unrealised",
]


@dataclasses.dataclass
class Spec:
    """What to put in a synthetic file."""

    replications: int = 6
    days: int = 90
    start: str = "2024-06-25"
    contingents: tuple = (("Kenya", 1000), ("Jamaica", 200), ("Bahamas", 150))
    airports: tuple = ("PAP", "CAP", "SDQ")
    main_gateway: str | None = "PAP"      # None: key absent (the first airport is the main one)
    kpis: dict | None = None              # None: no [kpis] table (defaults apply)
    # The sweep's `design` as its text says (the points are a grid either way).
    design: str = "grid"
    # A ban on commercial operators at the main airport (all runs): [start_h, end_h); the
    # airport stays open to the other classes (airport_open < 1, as `mss` writes it).
    ban_h: tuple | None = None
    # Scheduled closure of the main airport (all runs): [start_h, end_h).
    scheduled_closure_h: tuple | None = (20 * 24.0, 32 * 24.0)
    violence: bool = True
    regimes: tuple = ("calm", "tense", "crisis")
    events: bool = True
    failed_runs: tuple = ()               # run ids marked status 1 (all NaN)
    # Sweep: factor name -> list of levels (grid, first factor slowest). Empty: plain run.
    factors: dict = dataclasses.field(default_factory=dict)
    seed: int = 7
    kpi_shift: dict = dataclasses.field(default_factory=dict)   # kpi -> added constant
    nan_kpi: dict = dataclasses.field(default_factory=dict)     # kpi -> run ids set to NaN
    closures_in_series: bool = True       # False: closures only in /events (airport_open = 1)
    points_nan: tuple = ()                # factors whose variable is written as NaN
    format: str = "mss-sim/2"


def _iso(start: str, d: int) -> str:
    return (dt.date.fromisoformat(start) + dt.timedelta(days=d)).isoformat()


def scenario_toml(spec: Spec) -> str:
    lines = []
    if spec.main_gateway is not None:
        lines.append(f'main_gateway = "{spec.main_gateway}"')
    lines += [
        "",
        "[scenario]",
        'name = "synthetic"',
        'description = "synthetic test file"',
        f"start = {spec.start}",
        f"horizon_days = {spec.days}",
        f"seed = {spec.seed}",
        f"replications = {spec.replications}",
    ]
    for name, billets in spec.contingents:
        lines += ["", "[[contingent]]", f'name = "{name}"', 'origin = "NBO"',
                  f"billets = {billets}"]
    for code in spec.airports:
        lines += ["", "[[airport]]", f'code = "{code}"']
    lines += ["", "[[route]]", 'origin = "NBO"', f'gateway = "{spec.airports[0]}"',
              "block_h = 20.0"]
    if spec.kpis is not None:
        lines += ["", "[kpis]"] + [f"{k} = {v!r}" for k, v in spec.kpis.items()]
    return "\n".join(lines) + "\n"


def _toml_value(v) -> str:
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, str):
        return f'"{v}"'
    return repr(v)


def sweep_toml(spec: Spec) -> str:
    lines = ["[sweep]", 'base = "synthetic.toml"', f"seed = {spec.seed}",
             f"replications = {spec.replications}", f'design = "{spec.design}"']
    for key, values in spec.factors.items():
        lines += ["", "[[factor]]", f'key = "{key}"',
                  "values = [" + ", ".join(_toml_value(v) for v in values) + "]"]
    return "\n".join(lines) + "\n"


def design_points(spec: Spec) -> np.ndarray:
    """Grid of factor levels, first factor slowest; shape [points, factors]. A distribution
    level (an inline table) counts as its mean."""
    if not spec.factors:
        return np.zeros((1, 0))
    levels = [[float(v["mean"]) if isinstance(v, dict) else float(v) for v in vs]
              for vs in spec.factors.values()]
    grids = np.meshgrid(*[np.asarray(v, float) for v in levels], indexing="ij")
    return np.stack([g.ravel() for g in grids], axis=1)


def _string_list_attr(obj, name, values):
    obj.attrs.create(name, np.array(values, dtype=object), dtype=h5py.string_dtype("utf-8"))


def _string_attr(obj, name, value):
    obj.attrs.create(name, value, dtype=h5py.string_dtype("utf-8"))


def write(path: str | Path, spec: Spec | None = None, **overrides) -> Path:
    """Writes a synthetic results file at `path` and returns the path."""
    spec = dataclasses.replace(spec or Spec(), **overrides)
    path = Path(path)
    rng = np.random.default_rng(spec.seed)
    points = design_points(spec)
    P, R, D = len(points), spec.replications, spec.days
    C, A = len(spec.contingents), len(spec.airports)
    N = P * R
    billets = np.array([b for _, b in spec.contingents], float)
    # The main airport: main_gateway, else its documented default PAP, else the first.
    gateway = spec.main_gateway or ("PAP" if "PAP" in spec.airports else spec.airports[0])
    main = spec.airports.index(gateway)
    kpi_cfg = {"ioc_frac": 0.5, "foc_frac": 0.95, "floor_frac": 0.9, **(spec.kpis or {})}

    # --- toy model -----------------------------------------------------------------------
    # A factor speeds up the build-up (first factor) or adds cost (second); common random
    # numbers: replication r draws the same noise at every point.
    # Per replication streams, so that replication r has the same numbers whatever R is.
    rep_noise = np.stack([np.random.default_rng([spec.seed, r, 1]).normal(size=(D, C))
                          for r in range(R)])
    rep_closure = np.stack([np.random.default_rng([spec.seed, r, 2]).uniform(size=3)
                            for r in range(R)])
    strength = np.zeros((N, D, C), np.float32)
    on_duty = np.zeros_like(strength)
    waiting = np.zeros_like(strength)
    transit = np.zeros_like(strength)
    airport_open = np.ones((N, D, A), np.float32)
    regime = np.full((N, D), -1, np.int8)
    closures = []   # per run: list of (airport, start_h, end_h)
    days = np.arange(D, dtype=float)
    for run in range(N):
        p, r = divmod(run, R)
        f0 = points[p, 0] if points.shape[1] > 0 else 1.0
        wins = []
        if spec.scheduled_closure_h is not None:
            wins.append((main, *spec.scheduled_closure_h))
        # A random attack closure, 3..8 days, in the second half, in half of the runs.
        if rep_closure[r, 0] < 0.5:
            s = (D / 2 + rep_closure[r, 1] * D / 3) * 24.0
            wins.append((main, s, s + (3 + 5 * rep_closure[r, 2]) * 24.0))
        # An alternate closed for a few hours on day 5.
        if A > 1:
            wins.append((1, 5 * 24.0 + 3.0, 5 * 24.0 + 9.0))
        closures.append(wins)
        closed_main = np.zeros(D)
        for a, s, e in wins:
            for d in range(D):
                lo, hi = max(s, d * 24.0), min(e, (d + 1) * 24.0)
                if hi > lo:
                    if spec.closures_in_series:
                        airport_open[run, d, a] -= (hi - lo) / 24.0
                    if a == main:
                        closed_main[d] += (hi - lo) / 24.0
        rate = 0.08 * f0
        ramp = 1.0 / (1.0 + np.exp(-rate * (days - 25.0)))
        dent = np.convolve(closed_main, np.ones(10) * 0.02, mode="full")[:D]
        for c in range(C):
            level = billets[c] * np.clip(ramp - dent + 0.01 * rep_noise[r, :, c], 0, 1)
            strength[run, :, c] = np.round(level)
            on_duty[run, :, c] = np.round(level * 0.97)
            waiting[run, :, c] = np.round((billets[c] - level) * 0.5)
            transit[run, :, c] = np.round((billets[c] - level) * 0.1)
        if spec.violence:
            state = 0
            g = np.random.default_rng(spec.seed * 1000 + r)
            for d in range(D):
                if g.uniform() < 0.08:
                    state = int(g.integers(len(spec.regimes)))
                regime[run, d] = state
    airport_open = np.clip(airport_open, 0, 1)
    closed_all = 1.0 - airport_open   # [run, day, airport], before any ban
    ban = np.zeros((D,), np.float32)
    if spec.ban_h is not None:
        for d in range(D):
            lo, hi = max(spec.ban_h[0], d * 24.0), min(spec.ban_h[1], (d + 1) * 24.0)
            if hi > lo:
                ban[d] = (hi - lo) / 24.0
        airport_open[:, :, main] = np.clip(airport_open[:, :, main] - ban[None, :], 0, 1)

    total_billets = billets.sum()
    tot = strength.sum(axis=2)
    tot_duty = on_duty.sum(axis=2)
    kpis = {}
    def first_day(mask):
        out = np.full(N, np.nan)
        for i in range(N):
            idx = np.flatnonzero(mask[i])
            if idx.size:
                out[i] = idx[0]
        return out
    kpis["days_to_ioc"] = first_day(tot >= kpi_cfg["ioc_frac"] * total_billets)
    kpis["days_to_foc"] = first_day(tot >= kpi_cfg["foc_frac"] * total_billets)
    kpis["mean_strength_frac"] = tot.mean(axis=1, dtype=np.float64) / total_billets
    gap = np.full(N, np.nan)
    for i in range(N):
        if not np.isnan(kpis["days_to_foc"][i]):
            d0 = int(kpis["days_to_foc"][i])
            gap[i] = np.maximum(0.0, kpi_cfg["floor_frac"] * total_billets - tot_duty[i, d0:]).sum()
    kpis["gap_person_days"] = gap
    kpis["airport_closed_days"] = closed_all[:, :, main].sum(axis=1, dtype=np.float64)
    factor1 = points[np.arange(N) // R, 1] if points.shape[1] > 1 else np.zeros(N)
    reps = np.arange(N) % R
    for j, (name, _) in enumerate(KPI_COLUMNS):
        if name not in kpis:
            draws = [np.random.default_rng([spec.seed, int(r), 10 + j]).poisson(20) for r in reps]
            kpis[name] = np.array(draws, float) + factor1 * 0.01
    kpis["cost_usd"] = 1.5e8 + factor1 * 1e4 + 1e6 * np.array(
        [np.random.default_rng([spec.seed, int(r), 99]).normal() for r in reps])
    kpis["killed"] = np.zeros(N)   # a constant KPI
    for k, v in spec.kpi_shift.items():
        kpis[k] = kpis[k] + v
    for k, ids in spec.nan_kpi.items():
        kpis[k][list(ids)] = np.nan

    status = np.zeros(N, np.int8)
    for run in spec.failed_runs:
        status[run] = 1
        for k in kpis:
            kpis[k][run] = np.nan
        for arr in (strength, on_duty, waiting, transit, airport_open):
            arr[run] = np.nan
        regime[run] = -1
        closures[run] = []

    # --- the file --------------------------------------------------------------------------
    s_utf8 = h5py.string_dtype("utf-8")
    start_days = (dt.date.fromisoformat(spec.start) - dt.date(1970, 1, 1)).days
    with h5py.File(path, "w", track_order=False) as f:
        _string_attr(f, "format", spec.format)
        for k, v in {"mss_version": "0.0.0-synthetic", "git_commit": "synthetic",
                     "build_type": "Release", "build_flags": "-O2",
                     "hdf5_version": h5py.version.hdf5_version, "boost_version": "1.74",
                     "eigen_version": "3.4.0", "created_utc": "2024-01-01T00:00:00Z",
                     "command_line": "synthetic.py"}.items():
            _string_attr(f, k, v)
        g = f.create_group("scenario")
        _string_attr(g, "toml", scenario_toml(spec))
        if spec.factors:
            _string_attr(g, "sweep_toml", sweep_toml(spec))
            _string_attr(g, "sweep_hash", "0123456789abcdef")
        _string_attr(g, "start_date", _iso(spec.start, 0))
        del start_days

        def scale(where, name, data, dtype=None):
            v = where.create_dataset(name, data=data, dtype=dtype)
            v.make_scale(name)
            return v

        def names_of(xs):
            return np.array(list(xs), dtype=object)

        run_scale = scale(f, "run", np.arange(N, dtype="<i8"))
        _string_list_attr(run_scale, "kpis", [k for k, _ in KPI_COLUMNS])
        cont_root = scale(f, "contingent", names_of(n for n, _ in spec.contingents), s_utf8)
        ck_names = ["days_to_foc", "mean_strength_frac", "overstay_person_days", "pax_in"]
        _string_list_attr(cont_root, "kpis", ["contingent_" + k for k in ck_names])
        dp = scale(f, "design_point", np.arange(P, dtype="<i8"))
        _string_list_attr(dp, "factors", list(spec.factors))
        for j, k in enumerate(spec.factors):
            v = f.create_dataset(k, data=np.full(P, np.nan) if k in spec.points_nan
                                 else points[:, j].astype("<f8"))
            v.dims[0].attach_scale(dp)

        def run_var(name, data, units=None, where=f, scale_=run_scale, col=None):
            v = where.create_dataset(name, data=data, chunks=(min(N, 64),) + data.shape[1:],
                                     shuffle=True, compression=4)
            v.dims[0].attach_scale(scale_)
            if col is not None:
                v.dims[1].attach_scale(col)
            if units is not None:
                _string_attr(v, "units", units)
                _string_attr(v, "coordinates", "point replication seed status")
            return v

        run_var("point", (np.arange(N) // R).astype("<i8"))
        run_var("replication", (np.arange(N) % R).astype("<i8"))
        run_var("seed", np.full(N, spec.seed, "<u8"))
        st = run_var("status", status)
        st.attrs.create("flag_values", np.array([0, 1], "i1"))
        _string_attr(st, "flag_meanings", "ok failed")
        run_var("wall_s", rng.uniform(0.01, 0.05, N), "s")
        for k, u in KPI_COLUMNS:
            run_var(k, np.asarray(kpis[k], "<f8"), u)
        run_var("events_dropped", np.zeros(N, "<i8"), "1")
        ck = {"days_to_foc": kpis["days_to_foc"][:, None] + np.arange(C),
              "mean_strength_frac": strength.mean(axis=1, dtype=np.float64) / billets,
              "overstay_person_days": rng.poisson(5, (N, C)).astype(float),
              "pax_in": strength.max(axis=1).astype(float)}
        for k in ck_names:
            run_var("contingent_" + k, np.asarray(ck[k], "<f8"), "1", col=cont_root)

        g = f.create_group("regimes")
        names = list(spec.regimes) if spec.violence else []
        share = np.full(len(names), 1.0 / max(1, len(names)))
        rs = scale(g, "regime", names_of(names), s_utf8)
        g.create_dataset("stationary_share", data=share).dims[0].attach_scale(rs)

        s = f.create_group("series")
        srun = scale(s, "run", np.arange(N, dtype="<i8"))
        time = scale(s, "time", np.arange(D, dtype="<i4"))
        _string_attr(time, "units", f"days since {_iso(spec.start, 0)}")
        _string_attr(time, "calendar", "standard")
        cont_scale = scale(s, "contingent", names_of(n for n, _ in spec.contingents), s_utf8)
        ap_scale = scale(s, "airport", names_of(spec.airports), s_utf8)
        cls_scale = scale(s, "operator_class",
                          names_of(["all", "charter", "military", "commercial"]), s_utf8)
        run_var("point", (np.arange(N) // R).astype("<i8"), where=s, scale_=srun)
        run_var("replication", (np.arange(N) % R).astype("<i8"), where=s, scale_=srun)

        def make(name, data, *cols):
            chunks = (1,) + data.shape[1:]
            v = s.create_dataset(name, data=data, chunks=chunks, shuffle=True, compression=4)
            for i, sc in enumerate((srun, time) + cols):
                v.dims[i].attach_scale(sc)
            _string_attr(v, "coordinates", "point replication")
            _string_attr(v, "units", "1")
            return v

        closed = np.zeros((N, D, A, 4), np.float32)
        for c in range(4):   # every class is closed while the airport is closed to all
            closed[:, :, :, c] = closed_all
        closed[:, :, main, 3] = np.clip(closed_all[:, :, main] + ban[None, :], 0, 1)
        for name, arr in (("strength", strength), ("on_duty", on_duty),
                          ("filled", np.minimum(on_duty, billets[None, None, :])),
                          ("waiting_at_origin", waiting), ("in_transit", transit)):
            make(name, arr, cont_scale)
        make("airport_open", airport_open, ap_scale)
        make("airport_closed", closed, ap_scale, cls_scale)
        v = make("regime", regime)
        v.attrs.create("flag_values", np.arange(-1, len(names), dtype="i1"))
        _string_attr(v, "flag_meanings", " ".join(["violence_off"] + names))
        _string_attr(v, "long_name", "violence regime at the end of the day (-1: violence off)")

        kind_t = h5py.enum_dtype({k: i for i, k in enumerate(EVENT_KINDS)}, basetype="u1")
        ev_dt = np.dtype([("run", "<i8"), ("t_h", "<f8"), ("kind", kind_t),
                          ("contingent", "<i2"), ("airport", "<i2"), ("count", "<i4")])
        rows = []
        if spec.events:
            K = {k: i for i, k in enumerate(EVENT_KINDS)}
            for run in range(N):
                evs = [(2.0, K["batch_ready"], 0, -1, 100), (30.0, K["landed"], 0, main, 100)]
                for a, s0, e0 in closures[run]:
                    evs.append((s0, K["closure_start"], -1, a, 0))
                    if e0 < D * 24.0:
                        evs.append((e0, K["closure_end"], -1, a, 0))
                evs.sort(key=lambda e: e[0])
                rows += [(run, *e) for e in evs]
        ev = np.array(rows, dtype=ev_dt) if rows else np.zeros(0, ev_dt)
        ds = f.create_dataset("tables/events", data=ev, maxshape=(None,), chunks=(8192,),
                              shuffle=True, compression=4)
        _string_list_attr(ds, "kind_labels", EVENT_KINDS)
        _string_list_attr(ds, "contingent_labels", [n for n, _ in spec.contingents])
        _string_list_attr(ds, "airport_labels", list(spec.airports))
    return path


if __name__ == "__main__":  # pragma: no cover - a manual helper
    import sys
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "synthetic.h5")
    sweep = len(sys.argv) > 2 and sys.argv[2] == "sweep"
    write(out, factors={"aircraft.B787-charter.count": [1, 2, 3],
                        "contingent.Kenya.tour_days": [180, 365]} if sweep else {})
    print(out)
