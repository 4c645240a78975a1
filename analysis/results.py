"""Reading mss-sim/2 results files (docs/results.md) into pandas and xarray.

`load(path)` checks the file and returns a `Results`: the root's per-run variables as a
DataFrame (`runs`), the /series group as an xarray Dataset with named dimensions (run, time,
contingent, airport, operator_class, payer; `time` decoded to dates), the design points, the
per-contingent and per-payer KPIs in long form, the events with their labels, and the resolved
scenario parsed with tomllib. The payer variables came after the first files of format 2: a
file without them is read as a file with no payers (docs/results.md). Everything the plots
need that is not in the arrays (authorised strength, the floor, the main airport) is derived
here, once.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import h5py
import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import xarray as xr

FORMAT = "mss-sim/2"

#: Per-run root variables that are not KPIs (docs/results.md), in `runs` column order.
RUN_ID_COLUMNS = ("run", "point", "replication", "seed", "status", "wall_s")
#: The trailing non-KPI column of `runs`.
RUN_TAIL_COLUMNS = ("events_dropped",)
#: Per-run root variables that the analysis reads (`wall_s` and `events_dropped` may be
#: absent).
RUN_REQUIRED = ("run", "point", "replication", "seed", "status")
#: Prefix of the per-contingent KPI variables (`contingent_days_to_foc`, ...).
CONTINGENT_PREFIX = "contingent_"
#: Columns of /tables/events (docs/results.md).
EVENT_COLUMNS = ("run", "t_h", "kind", "contingent", "airport", "count")
EVENTS = "tables/events"
#: The /series variables the plots read, with their dimensions (docs/results.md).
SERIES_DIMS = {"strength": ("run", "time", "contingent"),
               "on_duty": ("run", "time", "contingent"),
               "filled": ("run", "time", "contingent"),
               "airport_open": ("run", "time", "airport"),
               "airport_closed": ("run", "time", "airport", "operator_class"),
               "regime": ("run", "time")}
#: Prefix of the per-payer KPI variables (`payer_cost_usd`, ...).
PAYER_PREFIX = "payer_"
#: The per-payer KPI variables [run, payer], in file order (docs/results.md,
#: `model::payer_kpi_columns()`). A file with the `payer` dimension has every one of them.
PAYER_KPIS = ("payer_cost_usd", "payer_paid_usd", "payer_held_person_days", "payer_days_held",
              "payer_min_balance_usd", "payer_end_balance_usd")
#: The /series variables of a file with payers, with their dimensions.
PAYER_SERIES_DIMS = {"payer_balance": ("run", "time", "payer")}

#: Defaults of the [kpis] table (docs/scenario.md, sim/model/config.hpp KpiConfig).
KPI_DEFAULTS = {"ioc_frac": 0.5, "foc_frac": 0.95, "floor_frac": 0.9}

#: Default of `main_gateway` (docs/scenario.md).
MAIN_GATEWAY_DEFAULT = "PAP"

REQUIRED = ("scenario", "run", "design_point", "series", "regimes")

_EVENT_DTYPE = np.dtype([("run", "<i8"), ("t_h", "<f8"), ("kind", "u1"), ("contingent", "<i2"),
                         ("airport", "<i2"), ("count", "<i4")])


class InputError(Exception):
    """A file or request the analysis cannot use (the CLI exits 2 with this message)."""


class DamagedFile(InputError):
    """A results file that is not what its format says (shapes that disagree, a missing or
    mistyped variable, a chunk that does not decode, sizes no reader can hold): the message
    is one line, "FILE is damaged: WHAT", as `mss` says it."""

    def __init__(self, path, what: str):
        super().__init__(f"{path} is damaged: {' '.join(str(what).split())}")


def read_budget() -> int:
    """The most memory (bytes) one read of a results file may take: half the machine's
    physical memory, at least 1 GiB (the limit `mss` applies, docs/results.md)."""
    try:
        total = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        total = 16 << 30
    return max(1 << 30, total // 2)


def _check_budget(path, what: str, nbytes: int) -> None:
    budget = read_budget()
    if nbytes > budget:
        raise DamagedFile(path, f"{what}: reading it would take {nbytes / 2**30:.1f} GiB, more "
                                f"than the {budget / 2**30:.1f} GiB a read may take here")


#: Labels are indexed by int16 codes in /tables/events.
MAX_LABELS = 32767


def _shape_of(path, f, name: str, kinds: str, dims: tuple):
    """Checks that /name is a dataset of numpy kind in `kinds` whose shape is `dims` (ints,
    or (name, length) pairs for messages); returns its shape. DamagedFile otherwise."""
    ds = f.get(name)
    if ds is None:
        raise DamagedFile(path, f"/{name} is missing")
    if not isinstance(ds, h5py.Dataset):
        raise DamagedFile(path, f"/{name} is not a variable (an HDF5 dataset)")
    if ds.dtype.names is not None or ds.dtype.kind not in kinds:
        what = "text" if kinds[0] in "OSU" else "numeric"
        raise DamagedFile(path, f"/{name} is not {what} ({ds.dtype})")
    want = tuple(d[1] if isinstance(d, tuple) else d for d in dims)
    if ds.shape is None or len(ds.shape) != len(want):
        raise DamagedFile(path, f"/{name} has {len(ds.shape or ())} dimensions, expected "
                                f"{len(want)}")
    if (name.startswith("series/") and isinstance(dims[0], tuple) and dims[0][0] == "run"
            and ds.shape[0] != want[0]):
        raise DamagedFile(path, f"/series has {ds.shape[0]} runs but /run has {want[0]} "
                                f"(/{name})")
    if len(want) == 1 and isinstance(dims[0], tuple) and ds.shape[0] != want[0]:
        raise DamagedFile(path, f"/{name} has {ds.shape[0]} rows, /{dims[0][0]} has {want[0]}")
    if any(w is not None and g != w for g, w in zip(ds.shape, want)):
        named = " × ".join(f"{d[0]} {d[1]}" if isinstance(d, tuple) else str(d) for d in dims)
        raise DamagedFile(path, f"/{name} is {' × '.join(map(str, ds.shape))}, expected "
                                f"{named}")
    return ds.shape


def has_payers(f) -> bool:
    """True when the open file has the payer variables: the dimension `payer` at the root or
    in /series (a file written before them has neither, and no payers)."""
    return "payer" in f or "series/payer" in f


def payer_kpi_names(f) -> list[str]:
    """The payer KPI variables of an open file with payers: the `kpis` attribute of /payer
    (PAYER_KPIS when it is absent), then any of PAYER_KPIS it leaves out."""
    ds = f.get("payer")
    names = _str_list(ds.attrs.get("kpis")) if isinstance(ds, h5py.Dataset) else []
    return list(dict.fromkeys(names + list(PAYER_KPIS)))


def check_shapes(path, f, kpis=(), ckpis=(), factors=(), pkpis=()) -> dict:
    """The file's shapes checked against each other before anything is read (a file can
    claim 2e9 runs in a few hundred bytes: unallocated chunks), and the memory loading it
    takes against read_budget(). Returns the lengths: run, design_point, time, contingent,
    airport, operator_class, regime, payer (0 for a file without payers), events.
    DamagedFile on the first disagreement. A file with the dimension `payer` (at the root or
    in /series) must have both scales, every payer KPI variable of `pkpis` (default
    PAYER_KPIS) over [run, payer] and /series/payer_balance [run, time, payer]."""
    n = {}
    for key, name, kinds in (("run", "run", "iu"), ("design_point", "design_point", "iu"),
                             ("time", "series/time", "iu"), ("contingent", "series/contingent",
                                                             "OSU"),
                             ("airport", "series/airport", "OSU"),
                             ("operator_class", "series/operator_class", "OSU"),
                             ("regime", "regimes/regime", "OSU")):
        n[key] = _shape_of(path, f, name, kinds, (None,))[0]
        if kinds == "OSU" and n[key] > MAX_LABELS:
            raise DamagedFile(path, f"/{name} claims {n[key]} entries (at most {MAX_LABELS})")
    if n["design_point"] == 0:
        raise DamagedFile(path, "/design_point is empty")
    n["payer"] = 0
    payers = has_payers(f)
    if payers:
        for name in ("payer", "series/payer"):
            n["payer"] = _shape_of(path, f, name, "OSU", (None,))[0]
            if n["payer"] > MAX_LABELS:
                raise DamagedFile(path, f"/{name} claims {n['payer']} entries (at most "
                                        f"{MAX_LABELS})")
    run, dp = ("run", n["run"]), ("design_point", n["design_point"])
    time, cont = ("time", n["time"]), ("contingent", n["contingent"])
    airp, cls = ("airport", n["airport"]), ("operator_class", n["operator_class"])
    per_run = 0
    for name in ("point", "replication", "seed", "status"):
        _shape_of(path, f, name, "iu", (run,))
        per_run += 8
    for name in ("wall_s", "events_dropped"):
        if name in f:
            _shape_of(path, f, name, "iuf", (run,))
            per_run += 8
    for name in kpis:
        if name in f:
            _shape_of(path, f, name, "iuf", (run,))
            per_run += 8
    for name in ckpis:
        if name in f:
            _shape_of(path, f, name, "iuf", (run, cont))
            per_run += 8 * n["contingent"]
    for name in factors:
        _shape_of(path, f, name, "iuf", (dp,))
    if "contingent" in f:
        _shape_of(path, f, "contingent", "OSU", (cont,))
    series_dims = dict(SERIES_DIMS)
    if payers:
        pay = ("payer", n["payer"])
        _shape_of(path, f, "payer", "OSU", (("series/payer", n["payer"]),))
        for name in dict.fromkeys(list(pkpis) + list(PAYER_KPIS)):
            _shape_of(path, f, name, "iuf", (run, pay))
            per_run += 8 * n["payer"]
        series_dims.update(PAYER_SERIES_DIMS)
    _shape_of(path, f, "regimes/stationary_share", "f", (("regime", n["regime"]),))
    for name, dims in series_dims.items():
        full = tuple({"run": run, "time": time, "contingent": cont, "airport": airp,
                      "operator_class": cls, "payer": ("payer", n["payer"])}[d] for d in dims)
        _shape_of(path, f, f"series/{name}", "i" if name == "regime" else "f", full)
        cells = 1
        for d in full[1:]:
            cells *= d[1]
        per_run += 8 * cells   # xarray decodes float32 series to float64 (NaN fill)
    for name in ("run", "point", "replication"):
        if f"series/{name}" in f:
            _shape_of(path, f, f"series/{name}", "iu", (run,))
    n["events"] = 0
    ev = f.get(EVENTS)
    if ev is not None:
        if not isinstance(ev, h5py.Dataset) or ev.dtype.names is None or ev.ndim != 1:
            raise DamagedFile(path, f"/{EVENTS} is not a table (a 1-D compound dataset)")
        n["events"] = ev.shape[0]
    _check_budget(path, f"/run claims {n['run']} runs of {n['time']} days, "
                        f"{n['contingent']} contingents and {n['airport']} airports",
                  n["run"] * per_run)
    _check_budget(path, f"/design_point claims {n['design_point']} design points",
                  n["design_point"] * 8 * (len(factors) + 1))
    _check_budget(path, f"/{EVENTS} claims {n['events']} events",
                  n["events"] * (ev.dtype.itemsize + 40 if ev is not None else 0))
    return n


def _str(v, errors: str = "strict") -> str:
    if isinstance(v, bytes):
        return v.decode("utf-8", errors)
    if isinstance(v, np.ndarray) and v.shape == ():
        return _str(v[()], errors)
    return str(v)


def _attr_str(path: Path, obj, name: str, default: str = "") -> str:
    """Text attribute `name` of `obj` (default when absent); InputError naming it when it
    cannot be read as UTF-8 text."""
    try:
        return _str(obj.attrs[name]) if name in obj.attrs else default
    except (UnicodeDecodeError, OSError) as e:
        raise InputError(f"{path}: {obj.name} attr `{name}` is not UTF-8 text: {e}") from e


def _table_check(path: Path, f, name: str, columns=(), ndim: int = 1, text=()):
    """The compound dataset /name, checked but not read: InputError naming it unless it is a
    table of `ndim` dimensions that has `columns` and whose columns are all numeric but those
    in `text`."""
    ds = f.get(name)
    if not isinstance(ds, h5py.Dataset) or ds.dtype.names is None:
        raise InputError(f"{path}: /{name} is not a table (a compound dataset)")
    if ds.ndim != ndim:
        raise InputError(f"{path}: /{name} has {ds.ndim} dimensions, expected {ndim}")
    missing = [c for c in columns if c not in ds.dtype.names]
    if missing:
        raise InputError(f"{path}: /{name} has no column " + ", ".join(f"`{c}`" for c in missing))
    for c in ds.dtype.names:
        if c not in text and ds.dtype[c].kind not in "biuf":
            raise InputError(f"{path}: /{name} column `{c}` is not numeric ({ds.dtype[c]})")
    return ds


def _table(path: Path, f, name: str, columns=(), ndim: int = 1, text=()) -> np.ndarray:
    """The compound dataset /name, read whole (`_table_check` first); DamagedFile when HDF5
    cannot read it."""
    ds = _table_check(path, f, name, columns, ndim, text)
    try:
        return ds[()]
    except OSError as e:
        raise DamagedFile(path, f"cannot read /{name}: {e}") from e


def _column(path: Path, f, name: str, ndim: int = 1) -> np.ndarray:
    """The numeric variable /name, read whole. InputError naming it unless it is numeric with
    `ndim` dimensions, or when HDF5 cannot read it (a damaged file)."""
    ds = f.get(name)
    if not isinstance(ds, h5py.Dataset) or ds.dtype.names is not None:
        raise InputError(f"{path}: /{name} is missing or not a variable")
    if ds.ndim != ndim:
        raise InputError(f"{path}: /{name} has {ds.ndim} dimensions, expected {ndim}")
    if ds.dtype.kind not in "biuf":
        raise InputError(f"{path}: /{name} is not numeric ({ds.dtype})")
    try:
        return ds[()]
    except OSError as e:
        raise DamagedFile(path, f"cannot read /{name}: {e}") from e


def _str_list(v) -> list[str]:
    if v is None:
        return []
    return [_str(x) for x in np.atleast_1d(v)]


def same_file(a: str | Path, b: str | Path) -> bool:
    """True if both paths exist and are the same file (False when either cannot be stat'd)."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_file(path: str | Path) -> Path:
    """Raises InputError unless `path` is an existing mss-sim/2 results file."""
    p = Path(path)
    if not os.path.exists(p):   # also for a name too long or a symlink loop (no OSError)
        raise InputError(f"{p}: no such file")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not a results file")
    if not p.is_file():  # a FIFO or device: reading it could block or never end
        raise InputError(f"{p}: not a regular file, so not an {FORMAT} results file")
    if not h5py.is_hdf5(p):
        raise InputError(f"{p}: not an HDF5 file, so not an {FORMAT} results file")
    try:
        with h5py.File(p, "r") as f:
            fmt = f.attrs.get("format")
            if fmt is None:
                raise InputError(f"{p}: not an {FORMAT} results file (no root attribute "
                                 f"`format`)")
            fmt = _str(fmt, "replace")
            if fmt != FORMAT:
                raise InputError(f"{p} is format {fmt}; this mss reads {FORMAT}")
            missing = [name for name in REQUIRED if name not in f]
            if missing:
                raise InputError(f"{p}: malformed {FORMAT} file: missing "
                                 + ", ".join("/" + m for m in missing))
    except OSError as e:
        raise InputError(f"{p}: cannot read: {e}") from e
    return p


@dataclass(frozen=True)
class KpiSettings:
    """The [kpis] table of the scenario with defaults filled in."""

    ioc_frac: float
    foc_frac: float
    floor_frac: float


class Results:
    """One mss-sim/2 results file. Tables are read on first use; `series` keeps the file
    open until `close()` (or the end of a `with` block)."""

    def __init__(self, path: str | Path):
        self.path = check_file(path)
        p = self.path
        with h5py.File(p, "r") as f:
            #: Root attributes (provenance): format, mss_version, git_commit, created_utc, ...
            #: (shown only: bytes that are not UTF-8 become U+FFFD, unreadable ones "?")
            self.info: dict[str, str] = {}
            for k in f.attrs:
                try:
                    self.info[k] = _str(f.attrs[k], "replace")
                except (UnicodeDecodeError, OSError):
                    self.info[k] = "?"
            sc = f["scenario"]
            #: The fully resolved scenario text.
            self.scenario_toml: str = _attr_str(p, sc, "toml")
            #: The sweep file's text, or None for a plain run.
            self.sweep_toml: str | None = _attr_str(p, sc, "sweep_toml", None)
            self.sweep_hash: str | None = _attr_str(p, sc, "sweep_hash", None)
            self.start_date: str = _attr_str(p, sc, "start_date")
            try:
                factors = _str_list(f["design_point"].attrs.get("factors"))
                kpis = _str_list(f["run"].attrs.get("kpis"))
                ckpis = _str_list(f["contingent"].attrs.get("kpis")) if "contingent" in f else []
                pkpis = payer_kpi_names(f) if has_payers(f) else []
                self.status_labels: list[str] = _str(
                    f["status"].attrs.get("flag_meanings", "ok failed")).split() \
                    if "status" in f else ["ok", "failed"]
                units = {k: _str(f[k].attrs.get("units", "")) for k in kpis if k in f}
            except (UnicodeDecodeError, OSError) as e:
                raise InputError(f"{p}: attributes of the root variables are not UTF-8 text: "
                                 f"{e}") from e
            # Shapes against each other, and the memory, before reading any variable.
            self._shapes = check_shapes(p, f, kpis, ckpis, factors, pkpis)
            #: The design points as a DataFrame: `point` and one column per sweep factor.
            points = {"point": _column(p, f, "design_point")}
            for k in factors:
                points[k] = _column(p, f, k)
            self.points: pd.DataFrame = pd.DataFrame(points)
            #: One row per run: run, point, replication, seed, status, wall_s, the KPIs,
            #: events_dropped (the root's per-run variables).
            cols = {}
            n = None
            for k in RUN_ID_COLUMNS + tuple(kpis) + RUN_TAIL_COLUMNS:
                if k not in f and k not in RUN_REQUIRED:
                    continue
                cols[k] = _column(p, f, k)
                if n is not None and len(cols[k]) != n:
                    raise InputError(f"{p}: /{k} has {len(cols[k])} rows, /run has {n}")
                n = len(cols[k])
            self.runs: pd.DataFrame = pd.DataFrame(cols)
            self._contingent_kpi_names = [k for k in ckpis if k in f]
            self._payer_kpi_names = pkpis
            #: True for a file written by `mss optimize` (it has the group /optimize).
            self._optimize_group = isinstance(f.get("optimize"), h5py.Group)
            g = f["regimes"]
            self._regimes = None
            if isinstance(g, h5py.Group) and "regime" in g:
                self._regimes = {"name": [_str(x, "replace") for x in g["regime"][()]],
                                 "stationary_share": _column(p, g, "stationary_share")}
        try:
            #: The resolved scenario as a dict (tomllib).
            self.scenario: dict = tomllib.loads(self.scenario_toml) if self.scenario_toml else {}
        except tomllib.TOMLDecodeError as e:
            raise InputError(f"{self.path}: /scenario attr `toml` is not valid TOML: {e}") from e
        try:
            self.sweep: dict | None = tomllib.loads(self.sweep_toml) if self.sweep_toml else None
        except tomllib.TOMLDecodeError:
            self.sweep = None
        #: KPI name -> unit (each KPI variable's `units`).
        self.kpi_units: dict[str, str] = dict(units)
        #: KPI names in file order (the `kpis` attribute of /run).
        self.kpi_names: list[str] = [c for c in self.runs.columns if c in self.kpi_units]
        if self.points["point"].duplicated().any():
            raise InputError(f"{self.path}: /design_point lists a design point twice")
        stray = sorted(set(self.runs["point"]) - set(self.points["point"]))
        if stray:
            raise InputError(f"{self.path}: /point has runs of design point {stray[0]}, which "
                             "/design_point does not list")
        #: Sweep factor names (the `factors` of /design_point), in file order.
        self.factors: list[str] = [c for c in self.points.columns if c != "point"]
        self._series = None  # xarray.Dataset, opened on first use
        self._optimization = None  # Optimization, read on first use
        self._series_cache: dict = {}
        self._attrs_cache: dict = {}

    # ----------------------------------------------------------------------------------
    # Shape of the experiment

    @property
    def is_sweep(self) -> bool:
        """True for a file written by `mss sweep` (a sweep text or factor columns)."""
        return self.sweep_toml is not None or bool(self.factors)

    @property
    def is_optimize(self) -> bool:
        """True for a file written by `mss optimize` (it has the group /optimize): its design
        points are the alternatives, and `optimize()` says what the procedure decided."""
        return self._optimize_group

    def optimize(self) -> "Optimization":
        """What `mss optimize` decided (the group /optimize, laid out in the header comment of
        sim/output/optimize_group.hpp): an `Optimization`. InputError for a file without
        /optimize; DamagedFile when one of its variables (or /stage) is missing or disagrees
        in shape. Read once, then cached."""
        if not self.is_optimize:
            raise InputError(f"{self.path}: not a file of `mss optimize` (no group /optimize)")
        if self._optimization is None:
            self._optimization = _read_optimization(self)
        return self._optimization

    @property
    def n_runs(self) -> int:
        return len(self.runs)

    @property
    def n_points(self) -> int:
        return len(self.points)

    @property
    def replications(self) -> int:
        """Replications per design point (R in run id = point * R + replication)."""
        return int(self.runs["replication"].max()) + 1 if len(self.runs) else 0

    @property
    def ok(self) -> np.ndarray:
        """Boolean mask over runs: status 0 (ok)."""
        return (self.runs["status"].to_numpy() == 0)

    @cached_property
    def _factor_info(self) -> tuple[pd.DataFrame, dict]:
        df = self.points.set_index("point")[self.factors].astype(float).copy()
        labels: dict[str, dict[float, str]] = {}
        specs = {str(f.get("key")): f for f in ((self.sweep or {}).get("factor") or [])
                 if isinstance(f, dict)}
        levels = self._grid_levels(specs)
        for f in self.factors:
            values = (specs.get(f) or {}).get("values")
            idx = levels.get(f)
            if not isinstance(values, list) or idx is None:
                continue
            # Levels that are all plain numbers are the factor variable itself; for the others
            # (distribution tables, strings) `mss` stores the level's index there (NaN in
            # older files), and the sweep text says what each level is.
            plain = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
            if plain and not df[f].isna().any():
                continue
            nums = [_numeric_level(v) for v in values]
            if any(x is None for x in nums) or len(set(nums)) < len(nums):
                nums = [float(i) for i in range(len(values))]
            df[f] = [nums[i] for i in idx]
            labels[f] = {nums[i]: _level_label(v) for i, v in enumerate(values)}
        return df, labels

    def _grid_levels(self, specs: dict) -> dict[str, list[int]]:
        """Level index of each factor at each point for a grid sweep (first factor slowest,
        sim/scenario/sweep.hpp); empty when the design is not a grid of this file's size."""
        sweep = (self.sweep or {}).get("sweep") or {}
        if str(sweep.get("design", "grid")) != "grid":
            return {}
        sizes = []
        for f in self.factors:
            values = (specs.get(f) or {}).get("values")
            if not isinstance(values, list) or not values:
                return {}
            sizes.append(len(values))
        if int(np.prod(sizes)) != self.n_points:
            return {}
        out = {}
        for j, f in enumerate(self.factors):
            stride = int(np.prod(sizes[j + 1:]))
            out[f] = [(p // stride) % sizes[j] for p in self.points["point"].astype(int)]
        return out

    @property
    def factor_values(self) -> pd.DataFrame:
        """Numeric value of each sweep factor at each design point (index `point`): the
        /points column, or, for a factor whose values are not numbers (distributions,
        strings: the factor variable holds the level's index, or NaN in older files), the level's `mean`
        (or `median`, `value`) from the sweep text, else the level's index 0, 1, ..."""
        return self._factor_info[0]

    @property
    def factor_labels(self) -> dict:
        """factor -> {numeric value: label} for the factors whose values are not numbers."""
        return self._factor_info[1]

    # ----------------------------------------------------------------------------------
    # Series and events

    @property
    def series(self) -> "xr.Dataset":
        """The /series group: strength, on_duty, filled, waiting_at_origin, in_transit [run,
        time, contingent], airport_open [run, time, airport], airport_closed [run, time,
        airport, operator_class], regime [run, time], and in a file with payers payer_balance
        [run, time, payer]; `time` holds the dates."""
        if self._series is None:
            import xarray as xr
            try:
                ds = xr.open_dataset(self.path, engine="h5netcdf", group="series")
            except Exception as e:  # noqa: BLE001 - any reader failure is a bad file here
                raise InputError(f"{self.path}: cannot open /series with xarray: {e}") from e
            try:
                self._check_series(ds)
            except BaseException:
                ds.close()
                raise
            self._series = ds
        return self._series

    def _check_series(self, ds) -> None:
        """InputError unless the variables the plots read have their dimensions, a numeric
        type and one row per run; reads them (a damaged chunk fails here)."""
        for name, dims in SERIES_DIMS.items():
            if name not in ds.variables:
                raise InputError(f"{self.path}: /series/{name} is missing")
            v = ds.variables[name]
            if v.dims != dims:
                raise InputError(f"{self.path}: /series/{name} has dimensions "
                                 f"{', '.join(map(str, v.dims)) or 'none'}, expected "
                                 f"{', '.join(dims)}")
            if v.dtype.kind not in "biuf":
                raise InputError(f"{self.path}: /series/{name} is not numeric ({v.dtype})")
        if ds.sizes["run"] != self.n_runs:
            raise InputError(f"{self.path}: /series has {ds.sizes['run']} runs but /run has "
                             f"{self.n_runs}")
        for name in SERIES_DIMS:
            try:
                ds.variables[name].load()
            except Exception as e:  # noqa: BLE001 - HDF5 and filter errors: a damaged file
                raise DamagedFile(self.path, f"cannot read /series/{name}: {e}") from e

    @cached_property
    def dates(self) -> pd.DatetimeIndex:
        """The date of each day (00:00 of the day): the CF time axis of /series (`time` in
        "days since YYYY-MM-DD"), decoded here without xarray."""
        return pd.DatetimeIndex(self.day_dates)

    @cached_property
    def day_dates(self) -> np.ndarray:
        """The date of each day as numpy datetime64[D] (day d of the series)."""
        with h5py.File(self.path, "r") as f:
            ds = f["series/time"]
            units = _attr_str(self.path, ds, "units")
            days = _column(self.path, f, "series/time")
        head, _, since = units.partition(" since ")
        try:
            if head.strip() != "days":
                raise ValueError(head)
            start = np.datetime64(since.strip()[:10], "D")
        except ValueError:
            raise InputError(f"{self.path}: /series/time is not a CF time axis in days (units "
                             f"{units!r})") from None
        return start + days.astype(np.int64).astype("timedelta64[D]")

    @property
    def days(self) -> int:
        return int(self._shapes["time"])

    def _labels(self, name: str) -> list[str]:
        with h5py.File(self.path, "r") as f:
            try:
                return [_str(x) for x in f[name][()]]
            except (UnicodeDecodeError, OSError) as e:
                raise DamagedFile(self.path, f"cannot read /{name}: {e}") from e

    @cached_property
    def contingents(self) -> list[str]:
        return self._labels("series/contingent")

    @cached_property
    def airports(self) -> list[str]:
        return self._labels("series/airport")

    @property
    def has_payers(self) -> bool:
        """True when the file has the payer variables (even with no payer: the dimension may
        be empty); False for a file written before them."""
        return bool(self._payer_kpi_names)

    @cached_property
    def payers(self) -> list[str]:
        """The payers of the scenario's [funding] in file order (the fund, bilateral donors):
        the labels of /payer; empty when the scenario models no money or the file was written
        before payers were recorded."""
        return self._labels("payer") if self.has_payers else []

    @cached_property
    def operator_classes(self) -> list[str]:
        """The operator classes of /series/airport_closed: all, charter, military,
        commercial."""
        return self._labels("series/operator_class")

    def series_values(self, name: str, airport: str | None = None) -> np.ndarray:
        """One /series variable as a numpy array read with h5py (float32 as stored; regime
        int8): [run, time, contingent] and so on (docs/results.md), or for an airport
        variable only `airport`'s slice ([run, time] or [run, time, operator_class]).
        `payer_balance` is [run, time, payer], with no payer ([run, time, 0]) in a file
        without payers. Cached. DamagedFile when a chunk does not decode."""
        key = (name, airport)
        if airport is not None and (name, None) in self._series_cache:
            return self._series_cache[(name, None)][:, :, self.airports.index(airport)]
        if key not in self._series_cache:
            if name not in SERIES_DIMS and name not in PAYER_SERIES_DIMS:
                raise KeyError(name)
            if name in PAYER_SERIES_DIMS and not self.has_payers:
                self._series_cache[key] = np.zeros((self.n_runs, self.days, 0), np.float32)
                return self._series_cache[key]
            with h5py.File(self.path, "r") as f:
                ds = f[f"series/{name}"]
                try:
                    if airport is None:
                        a = ds[()]
                    else:
                        a = ds[:, :, self.airports.index(airport)]
                except (OSError, ValueError) as e:
                    raise DamagedFile(self.path, f"cannot read /series/{name}: {e}") from e
            self._series_cache[key] = a
        return self._series_cache[key]

    def attrs_of(self, name: str) -> dict[str, str]:
        """The text attributes of a variable (`long_name`, `units`, `comment`, ...), e.g. of a
        KPI (`cost_usd`) or a series (`series/filled`); empty when it has none."""
        if name not in self._attrs_cache:
            out = {}
            with h5py.File(self.path, "r") as f:
                obj = f.get(name)
                if obj is not None:
                    for k in ("long_name", "units", "comment", "standard_name"):
                        if k in obj.attrs:
                            out[k] = _attr_str(self.path, obj, k)
            self._attrs_cache[name] = out
        return self._attrs_cache[name]

    @cached_property
    def output_settings(self) -> dict:
        """The scenario's [output] table with its defaults (docs/scenario.md): events (bool),
        max_events_per_run (int)."""
        t = self.scenario.get("output", {}) or {}
        t = t if isinstance(t, dict) else {}
        events = t.get("events", True)
        cap = t.get("max_events_per_run", 100000)
        return {"events": bool(events) if isinstance(events, bool) else True,
                "max_events_per_run": int(cap) if isinstance(cap, (int, float))
                and not isinstance(cap, bool) else 100000}

    def events_of(self, runs) -> pd.DataFrame:
        """The events of the given run ids only (the columns of `events`), found by
        bisection on the run column of /tables/events (the table is in run order, docs/
        results.md), so a report reads a few chunks of a table of millions of rows. The
        table's first and last rows must be runs of the file (DamagedFile otherwise)."""
        runs = sorted(set(int(r) for r in runs))
        with h5py.File(self.path, "r") as f:
            ds = f.get(EVENTS)
            if ds is None or ds.shape[0] == 0:
                return self._events_frame(np.zeros(0, _EVENT_DTYPE), f)
            _table_check(self.path, f, EVENTS, EVENT_COLUMNS)
            n = ds.shape[0]
            cache: dict[int, int] = {}

            def run_at(i: int) -> int:
                if i not in cache:
                    try:
                        cache[i] = int(ds[i]["run"])
                    except (OSError, ValueError) as e:
                        raise DamagedFile(self.path, f"cannot read /{EVENTS}: {e}") from e
                return cache[i]

            known = set(self.runs["run"].to_numpy().tolist())
            for i in (0, n - 1):
                if run_at(i) not in known:
                    raise DamagedFile(self.path, f"/{EVENTS} has events of run {run_at(i)}, "
                                                 "which the file does not hold")

            def first_at_least(r: int) -> int:
                lo, hi = 0, n
                while lo < hi:
                    mid = (lo + hi) // 2
                    if run_at(mid) < r:
                        lo = mid + 1
                    else:
                        hi = mid
                return lo

            parts = []
            for r in runs:
                a, b = first_at_least(r), first_at_least(r + 1)
                if b > a:
                    try:
                        parts.append(ds[a:b])
                    except (OSError, ValueError) as e:
                        raise DamagedFile(self.path, f"cannot read /{EVENTS}: {e}") from e
            raw = np.concatenate(parts) if parts else np.zeros(0, ds.dtype)
            if raw.size and (np.diff(raw["run"]) < 0).any():
                raise DamagedFile(self.path, f"/{EVENTS} is not in run order")
            return self._events_frame(raw, f)

    def _events_frame(self, raw, f) -> pd.DataFrame:
        ds = f.get(EVENTS)
        kinds, cont, airp = [], [], []
        if ds is not None:
            try:
                kinds = _str_list(ds.attrs.get("kind_labels"))
                cont = _str_list(ds.attrs.get("contingent_labels"))
                airp = _str_list(ds.attrs.get("airport_labels"))
            except (UnicodeDecodeError, OSError) as e:
                raise InputError(f"{self.path}: /events label attrs are not UTF-8 text: "
                                 f"{e}") from e
            if not kinds and ds.dtype.names and "kind" in ds.dtype.names:
                enum = h5py.check_enum_dtype(ds.dtype["kind"]) or {}
                kinds = [k for k, _ in sorted(enum.items(), key=lambda kv: kv[1])]
        cont = cont or self.contingents
        airp = airp or self.airports

        def labelled(codes, labels):
            codes = np.asarray(codes, dtype=np.int64)
            codes = np.where((codes >= 0) & (codes < len(labels)), codes, -1)
            return pd.Categorical.from_codes(codes, categories=list(dict.fromkeys(labels)))

        return pd.DataFrame({
            "run": np.asarray(raw["run"], np.int64),
            "t_h": np.asarray(raw["t_h"], np.float64),
            "kind": labelled(raw["kind"], kinds),
            "contingent": labelled(raw["contingent"], cont),
            "airport": labelled(raw["airport"], airp),
            "count": np.asarray(raw["count"], np.int32),
        })

    @cached_property
    def events(self) -> pd.DataFrame:
        """/tables/events: run, t_h (hours since start), kind, contingent, airport (labels as
        pandas categoricals; -1 = none becomes NaN), count."""
        with h5py.File(self.path, "r") as f:
            if EVENTS not in f:
                return pd.DataFrame({"run": pd.Series(dtype="int64"),
                                     "t_h": pd.Series(dtype="float64"),
                                     "kind": pd.Categorical([]), "contingent": pd.Categorical([]),
                                     "airport": pd.Categorical([]),
                                     "count": pd.Series(dtype="int32")})
            raw = _table(self.path, f, EVENTS, EVENT_COLUMNS)
            ds = f[EVENTS]
            try:
                kinds = _str_list(ds.attrs.get("kind_labels"))
                cont = _str_list(ds.attrs.get("contingent_labels"))
                airp = _str_list(ds.attrs.get("airport_labels"))
            except (UnicodeDecodeError, OSError) as e:
                raise InputError(f"{self.path}: /events label attrs are not UTF-8 text: "
                                 f"{e}") from e
            if not kinds:
                enum = h5py.check_enum_dtype(ds.dtype["kind"]) or {}
                kinds = [k for k, _ in sorted(enum.items(), key=lambda kv: kv[1])]
            cont = cont or self.contingents
            airp = airp or self.airports

        for attr, labels in (("kind_labels", kinds), ("contingent_labels", cont),
                             ("airport_labels", airp)):
            if len(set(labels)) != len(labels):
                raise InputError(f"{self.path}: /events attr `{attr}` repeats a label")

        stray = np.setdiff1d(np.unique(raw["run"]), self.runs["run"].to_numpy())
        if stray.size:
            raise DamagedFile(self.path, f"/{EVENTS} has events of run {int(stray[0])}, which "
                                         "the file does not hold")

        def labelled(codes, labels):
            codes = np.asarray(codes, dtype=np.int64)
            codes = np.where((codes >= 0) & (codes < len(labels)), codes, -1)
            return pd.Categorical.from_codes(codes, categories=labels)

        return pd.DataFrame({
            "run": raw["run"].astype(np.int64),
            "t_h": raw["t_h"].astype(np.float64),
            "kind": labelled(raw["kind"], kinds),
            "contingent": labelled(raw["contingent"], cont),
            "airport": labelled(raw["airport"], airp),
            "count": raw["count"].astype(np.int32),
        })

    @cached_property
    def contingent_kpis(self) -> pd.DataFrame:
        """The per-contingent KPIs (root variables `contingent_<kpi>` [run, contingent]) in long
        form: run, contingent, then one column per KPI named without the prefix
        (days_to_foc, mean_filled_frac, ...)."""
        if not self._contingent_kpi_names:
            return pd.DataFrame()
        labels = self.contingents
        out = {"run": np.repeat(self.runs["run"].to_numpy(), len(labels)),
               "contingent": pd.Categorical(np.tile(labels, self.n_runs), categories=labels)}
        with h5py.File(self.path, "r") as f:
            for name in self._contingent_kpi_names:
                raw = _column(self.path, f, name, ndim=2)
                if raw.shape != (self.n_runs, len(labels)):
                    raise InputError(f"{self.path}: /{name} is {raw.shape[0]} × {raw.shape[1]}, "
                                     f"expected one row per run ({self.n_runs}) and one column "
                                     f"per contingent ({len(labels)})")
                out[name[len(CONTINGENT_PREFIX):]] = raw.reshape(-1)
        return pd.DataFrame(out)

    @cached_property
    def payer_kpis(self) -> pd.DataFrame:
        """The per-payer KPIs (root variables `payer_<kpi>` [run, payer]) in long form: run,
        payer, then one column per KPI named without the prefix (cost_usd, paid_usd,
        held_person_days, days_held, min_balance_usd, end_balance_usd; NaN for a failed
        run). No rows when the file has no payer (a scenario without money, or a file written
        before payers were recorded)."""
        names = self._payer_kpi_names or list(PAYER_KPIS)
        labels = self.payers
        if not labels:
            return pd.DataFrame({"run": np.zeros(0, np.int64),
                                 "payer": pd.Categorical([], categories=[]),
                                 **{k[len(PAYER_PREFIX):]: np.zeros(0) for k in names}})
        out = {"run": np.repeat(self.runs["run"].to_numpy(), len(labels)),
               "payer": pd.Categorical(np.tile(labels, self.n_runs), categories=labels)}
        with h5py.File(self.path, "r") as f:
            for name in names:
                raw = _column(self.path, f, name, ndim=2)
                if raw.shape != (self.n_runs, len(labels)):
                    raise DamagedFile(self.path, f"/{name} is {raw.shape[0]} × {raw.shape[1]}, "
                                                 f"expected run {self.n_runs} × payer "
                                                 f"{len(labels)}")
                out[name[len(PAYER_PREFIX):]] = raw.reshape(-1).astype(np.float64)
        return pd.DataFrame(out)

    @property
    def regimes(self) -> pd.DataFrame:
        """/regimes: name, stationary_share (empty when violence is off)."""
        if self._regimes is None or len(self._regimes["name"]) == 0:
            return pd.DataFrame({"name": pd.Series(dtype=object),
                                 "stationary_share": pd.Series(dtype=float)})
        return pd.DataFrame(self._regimes)

    @cached_property
    def regime_names(self) -> list[str]:
        """Regime names by index: /regimes, else the CF flags of /series/regime (without
        `violence_off`, the flag of -1)."""
        names = list(self.regimes["name"])
        if names:
            return names
        with h5py.File(self.path, "r") as f:
            attrs = f["series/regime"].attrs
            values = np.atleast_1d(attrs.get("flag_values", []))
            meanings = _str(attrs.get("flag_meanings", "")).split()
        return [m for v, m in zip(values, meanings) if int(v) >= 0]

    # ----------------------------------------------------------------------------------
    # What the scenario says

    @cached_property
    def kpi_settings(self) -> KpiSettings:
        t = self.scenario.get("kpis", {}) or {}
        if not isinstance(t, dict):
            raise self._scenario_error("`kpis` is not a table")
        out = {}
        for k, v in KPI_DEFAULTS.items():
            x = t.get(k, v)
            if isinstance(x, bool) or not isinstance(x, (int, float)):
                raise self._scenario_error(f"kpis.{k} is not a number ({x!r})")
            out[k] = float(x)
        return KpiSettings(**out)

    @cached_property
    def billets(self) -> dict[str, int]:
        """Authorised strength per contingent (the scenario's `billets`), in file order."""
        out = {}
        contingents = self.scenario.get("contingent", []) or []
        if not isinstance(contingents, list) or not all(isinstance(c, dict)
                                                        for c in contingents):
            raise self._scenario_error("`contingent` is not an array of tables")
        for c in contingents:
            if "name" in c and "billets" in c:
                b = c["billets"]
                if isinstance(b, bool) or not isinstance(b, (int, float)) or not math.isfinite(b):
                    raise self._scenario_error(f"billets of contingent {c['name']!r} is not a "
                                               f"number ({b!r})")
                out[str(c["name"])] = int(b)
        return out

    @property
    def authorised_total(self) -> int:
        return int(sum(self.billets.values()))

    @property
    def floor(self) -> float:
        """The on-duty floor: kpis.floor_frac × total billets."""
        return self.kpi_settings.floor_frac * self.authorised_total

    def authorised(self, mask=None) -> "Authorised":
        """Billets per contingent and kpis.floor_frac of the runs selected by `mask` (default:
        all runs): the base scenario's, with the values a sweep factor gives them at the
        selected design points. A factor whose key is `contingent.<name>.billets` or
        `kpis.floor_frac` is read from the factor variable at the point (a plain number). When the
        selected points disagree (a sweep pooled over points whose billets differ), or a
        factor changes billets or floor_frac in a way that cannot be resolved from the file
        (another key form, a value that is not a plain number), the value is None and `note`
        says why: the report then draws no such line rather than a wrong one."""
        runs = self.runs if mask is None else self.runs[np.asarray(mask)]
        points = sorted(set(int(p) for p in runs["point"]))
        billets: dict[str, int] | None = dict(self.billets)
        floor_frac: float | None = self.kpi_settings.floor_frac
        notes = []
        labels = self.factor_labels if self.factors else {}
        fv = self.factor_values if self.factors else None
        for f in self.factors:
            path = _key_path(f)
            if path is None:   # unparsable: assume the worst
                touches_billets, touches_floor = "contingent" in f, "kpis" in f
            else:
                touches_billets = path[0] == "contingent" and (
                    len(path) <= 2 or path[2:] == ["billets"])
                touches_floor = path[0] == "kpis" and (
                    len(path) == 1 or path[1:] == ["floor_frac"])
            if not (touches_billets or touches_floor):
                continue
            vals = fv.loc[points, f].to_numpy(np.float64) if points else np.zeros(0)
            what = "billets" if touches_billets else "kpis.floor_frac"
            resolvable = (path is not None and len(path) == (3 if touches_billets else 2)
                          and f not in labels and vals.size > 0
                          and np.isfinite(vals).all()
                          and (not touches_billets or path[1] in (billets or {})))
            if touches_billets and resolvable:
                resolvable = bool((vals == np.round(vals)).all())
            if not resolvable:
                notes.append(f"sweep factor `{f}` changes {what} in a way this file does not "
                             "resolve")
            elif len(set(vals.tolist())) > 1:
                notes.append(f"sweep factor `{f}` changes {what} between the selected design "
                             "points (choose one with --point)")
                resolvable = False
            if touches_billets:
                if not resolvable:
                    billets = None
                elif billets is not None:
                    billets[path[1]] = int(vals[0])
            else:
                floor_frac = float(vals[0]) if resolvable else None
        return Authorised(billets, floor_frac, "; ".join(notes))

    @cached_property
    def main_airport(self) -> str:
        """The scenario's `main_gateway`; when the key is absent, its documented default
        "PAP" (docs/scenario.md) if that is one of the file's airports, else the first."""
        if not self.airports:
            raise InputError(f"{self.path}: /series/airport is empty: the file has no airport")
        mg = self.scenario.get("main_gateway")
        if mg and str(mg) in self.airports:
            return str(mg)
        if not mg and MAIN_GATEWAY_DEFAULT in self.airports:
            return MAIN_GATEWAY_DEFAULT
        return self.airports[0]

    @property
    def scenario_name(self) -> str:
        sc = self.scenario.get("scenario")
        return str(sc.get("name", self.path.stem) if isinstance(sc, dict) else self.path.stem)

    def _scenario_error(self, what: str) -> InputError:
        return InputError(f"{self.path}: /scenario attr `toml`: {what}")

    # ----------------------------------------------------------------------------------

    def runs_of_point(self, point: int) -> np.ndarray:
        """Boolean mask over runs of one design point."""
        if point not in set(self.points["point"]):
            raise InputError(f"{self.path}: no design point {point} "
                             f"(the file has points 0..{self.n_points - 1})")
        mask = self.runs["point"].to_numpy() == point
        if not mask.any():
            raise InputError(f"{self.path}: no run of design point {point} in this file (a "
                             "shard holds only its slice of the runs)")
        return mask

    def summary(self, kpis=None, points=None) -> pd.DataFrame:
        """The statistics of `mss summary --csv` (docs/statistics.md): one row per design point
        and KPI with the contract's columns, over each point's ok runs
        (`analysis.stats.summary_table`). `kpis`: the KPIs (default every KPI of the file, in
        its order); `points`: the design points (default every point of /design_point; one
        without runs in this file, as in a shard, has runs = 0)."""
        from analysis.stats import summary_table
        return summary_table(self.runs, self.kpi_names if kpis is None else kpis, ok=self.ok,
                             units=self.kpi_units,
                             points=sorted(int(p) for p in self.points["point"])
                             if points is None else points)

    def close(self) -> None:
        if self._series is not None:
            self._series.close()
            self._series = None

    def __enter__(self) -> "Results":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        kind = f"sweep of {self.n_points} points" if self.is_sweep else "plain run"
        return (f"<Results {self.path} ({kind}, {self.n_runs} runs, "
                f"{len(self.kpi_names)} KPIs)>")


@dataclass(frozen=True)
class Authorised:
    """Authorised strength and floor of a selection of runs (Results.authorised)."""

    billets: dict | None       # contingent -> billets; None: unknown or varies
    floor_frac: float | None   # kpis.floor_frac; None: unknown or varies
    note: str = ""             # why a value is None

    @property
    def total(self) -> int | None:
        return None if self.billets is None else int(sum(self.billets.values()))

    @property
    def floor(self) -> float | None:
        if self.billets is None or self.floor_frac is None:
            return None
        return self.floor_frac * self.total


def _key_path(key: str) -> list[str] | None:
    """The segments of a `--set` key path (`contingent."The Bahamas".billets` ->
    [contingent, The Bahamas, billets]; `a[0].b` -> [a, 0, b]); None when it cannot be
    parsed."""
    out, cur, i, quoted = [], "", 0, False
    while i < len(key):
        ch = key[i]
        if quoted:
            if ch == '"':
                quoted = False
            else:
                cur += ch
        elif ch == '"':
            quoted = True
        elif ch == ".":
            out.append(cur)
            cur = ""
        elif ch == "[":
            j = key.find("]", i)
            if j < 0:
                return None
            out.append(cur)
            cur = key[i + 1:j]
            i = j
            if i + 1 < len(key) and key[i + 1] == ".":
                i += 1
            out.append(cur)
            cur = ""
            i += 1
            continue
        else:
            cur += ch
        i += 1
    if quoted:
        return None
    out.append(cur)
    out = [p.strip() for p in out if p != ""]
    return out or None


def _numeric_level(v) -> float | None:
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, dict):
        for k in ("mean", "median", "value"):
            if isinstance(v.get(k), (int, float)) and not isinstance(v.get(k), bool):
                return float(v[k])
    return None


def _level_label(v) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, dict):
        head = str(v.get("dist", ""))
        rest = ", ".join(f"{k}={x:g}" if isinstance(x, float) else f"{k}={x}"
                         for k, x in v.items() if k != "dist")
        return f"{head}({rest})" if head else rest
    return str(v)


# ------------------------------------------------------------------------------------------
# Files of `mss optimize`

#: Values of the /optimize attribute `status`.
OPTIMIZE_STATUSES = ("chosen", "none_feasible", "budget_exhausted")
#: Values of /optimize/fate, in the order the report lists them.
FATES = ("chosen", "worse", "infeasible", "in_contention")
#: Per-alternative variables of /optimize that are whole numbers (-1: none), in the order of
#: the alternatives table.
OPTIMIZE_INT_VARIABLES = ("fate_stage", "eliminated_by", "infeasible_constraint",
                          "feasible_stage", "replications")


def output_key(j: int) -> str:
    """The short name of the procedure's output j in column names: "objective" for 0,
    "constraint1", "constraint2", ... for the constraints."""
    return "objective" if j == 0 else f"constraint{j}"


@dataclass(frozen=True, eq=False)
class Optimization:
    """What `mss optimize` decided: the group /optimize of its results file (docs/optimize.md,
    sim/output/optimize_group.hpp), as `Results.optimize()` returns it.

    The procedure's outputs are the objective (output 0: the mean of the objective KPI) and
    one per constraint (output j: its words, e.g. "P(days_to_foc <= 220) >= 0.4"); in column
    names output j is `output_key(j)` ("objective", "constraint1", ...). Every interval is
    95%: Student t for a mean, Wilson for a probability, over all of an alternative's
    replications."""

    plan_toml: str            #: the resolved plan file
    plan: dict                #: plan_toml parsed with tomllib ({} when it is not TOML)
    identity: str             #: the plan's identity hash
    procedure: str            #: the procedure's name and citations
    status: str               #: "chosen", "none_feasible" or "budget_exhausted"
    guarantee: bool           #: whether "correct with probability >= confidence" holds
    summary: str              #: the outcome in one sentence (the guarantee sentence)
    confidence: float         #: 1 - alpha
    delta: float              #: the indifference zone of the objective
    chosen: int               #: the chosen alternative, -1 for none
    runs: int                 #: runs used
    stages: int               #: stages run
    first_stage: int          #: n0, replications of every alternative in stage 1
    increment: int            #: replications of every survivor per later stage
    budget: int               #: the most runs the plan allowed
    rinott_h: float           #: Rinott's constant h at the same delta and confidence
    rinott_runs: int          #: the runs Rinott's two-stage procedure would take (-1: k = 1)
    outputs: list             #: [output] the outputs' names: objective KPI, constraints
    output_kind: list         #: [output] "objective", "probability" or "mean"
    #: One row per alternative (index `alternative`): each decision variable's value from
    #: /design_point (named by its key; a value that is not a number holds the level's index,
    #: as in a sweep), label, fate, why, fate_stage, eliminated_by, infeasible_constraint,
    #: feasible (bool), feasible_stage, replications, then per output
    #: `<key>_estimate`, `<key>_ci_low`, `<key>_ci_high` (key = output_key(j)).
    alternatives: pd.DataFrame
    estimate: np.ndarray      #: [alternative, output]
    ci_low: np.ndarray        #: [alternative, output]
    ci_high: np.ndarray       #: [alternative, output]
    #: One row per stage (index `stage`, from 1): replications (of a survivor, cumulative)
    #: and runs (cumulative).
    stage_history: pd.DataFrame
    stage_mean: np.ndarray    #: [stage, alternative, output] cumulative means (NaN: not sampled)
    run_stage: np.ndarray     #: [run] the stage of each run (the root variable /stage)

    @property
    def k(self) -> int:
        """The number of alternatives."""
        return len(self.alternatives)

    @property
    def output_keys(self) -> list[str]:
        return [output_key(j) for j in range(len(self.outputs))]

    @property
    def objective(self) -> dict:
        """The plan's [objective] table (kpi, goal, delta); {} when the plan cannot be read."""
        t = self.plan.get("objective")
        return t if isinstance(t, dict) else {}

    @property
    def maximise(self) -> bool:
        """True when the objective is to be maximised (the plan's objective.goal)."""
        return str(self.objective.get("goal", "minimise")) == "maximise"

    @property
    def constraints(self) -> list[dict]:
        """The plan's [[constraint]] tables, in output order (constraint j is output j)."""
        t = self.plan.get("constraint")
        return [c for c in t if isinstance(c, dict)] if isinstance(t, list) else []

    def threshold(self, j: int) -> float | None:
        """The line output j >= 1 must stay on the right side of: p of a probability
        constraint, the value of a mean constraint; None when the plan does not say."""
        cs = self.constraints
        if not 1 <= j <= len(cs):
            return None
        c = cs[j - 1]
        for key in ("probability", "mean_at_most", "mean_at_least"):
            v = c.get(key)
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                return float(v)
        return None

    def label(self, i: int) -> str:
        return str(self.alternatives.at[i, "label"])

    @property
    def runner_up(self) -> int | None:
        """The feasible alternative other than the choice with the best objective estimate;
        without one, the other alternative with the most replications (the first of equals),
        as `mss optimize` prints it; None when there is no other alternative."""
        a = self.alternatives
        best = None
        for i in range(self.k):
            if i == self.chosen or not a.at[i, "feasible"]:
                continue
            e = self.estimate[i, 0]
            if best is None or (e > self.estimate[best, 0] if self.maximise
                                else e < self.estimate[best, 0]):
                best = i
        if best is not None:
            return best
        for i in range(self.k):
            if i == self.chosen:
                continue
            if best is None or a.at[i, "replications"] > a.at[best, "replications"]:
                best = i
        return best

    @property
    def rinott_ratio(self) -> float | None:
        """Rinott's runs over the runs used (as `mss optimize` prints it: "0.5x as many");
        None when k = 1."""
        if self.rinott_runs < 0 or self.runs <= 0:
            return None
        return self.rinott_runs / self.runs

    def stage_means(self, output: int = 0) -> pd.DataFrame:
        """The cumulative mean of output `output` after each stage: index stage, a column per
        alternative (NaN where it was not sampled in that stage)."""
        return pd.DataFrame(self.stage_mean[:, :, output], index=self.stage_history.index,
                            columns=pd.RangeIndex(self.k, name="alternative"))


def _read_optimization(res: "Results") -> Optimization:
    """/optimize of `res`, its shapes checked against each other and the file's."""
    path = res.path
    with h5py.File(path, "r") as f:
        g = f["optimize"]

        def attr(name, kind):
            if name not in g.attrs:
                raise DamagedFile(path, f"/optimize has no attribute `{name}`")
            v = g.attrs[name]
            try:
                if kind is str:
                    return _str(v)
                v = np.asarray(v).reshape(-1)[0] if np.ndim(v) else v
                return kind(v)
            except (UnicodeDecodeError, TypeError, ValueError, IndexError) as e:
                raise DamagedFile(path, f"/optimize attribute `{name}` is not a "
                                        f"{kind.__name__}: {e}") from e

        def var(name, kinds, shape):
            ds = g.get(name)
            if not isinstance(ds, h5py.Dataset):
                raise DamagedFile(path, f"/optimize/{name} is missing")
            if ds.dtype.names is not None or ds.dtype.kind not in kinds:
                raise DamagedFile(path, f"/optimize/{name} has the wrong type ({ds.dtype})")
            if ds.shape != shape:
                raise DamagedFile(path, f"/optimize/{name} is "
                                        f"{' × '.join(map(str, ds.shape))}, expected "
                                        f"{' × '.join(map(str, shape))}")
            try:
                a = ds[()]
                return [_str(x) for x in a] if kinds == "OSU" else a
            except (OSError, ValueError, UnicodeDecodeError) as e:
                raise DamagedFile(path, f"cannot read /optimize/{name}: {e}") from e

        k = _shape_of(path, f, "optimize/alternative", "iu", (None,))[0]
        m = _shape_of(path, f, "optimize/output", "OSU", (None,))[0]
        n_stages = _shape_of(path, f, "optimize/stage", "iu", (None,))[0]
        if k != res.n_points:
            raise DamagedFile(path, f"/optimize/alternative has {k} alternatives but "
                                    f"/design_point {res.n_points} points")
        if m < 1:
            raise DamagedFile(path, "/optimize/output is empty (the objective is output 0)")
        outputs = var("output", "OSU", (m,))
        kind = var("output_kind", "OSU", (m,))
        cols = {"label": var("label", "OSU", (k,)), "fate": var("fate", "OSU", (k,)),
                "why": var("why", "OSU", (k,))}
        ints = {n: var(n, "iu", (k,)).astype(np.int64) for n in OPTIMIZE_INT_VARIABLES}
        feasible = var("feasible", "iub", (k,)).astype(bool)
        est = {n: var(n, "f", (k, m)).astype(np.float64)
               for n in ("estimate", "ci_low", "ci_high")}
        stage_reps = var("stage_replications", "iu", (n_stages,)).astype(np.int64)
        stage_runs = var("stage_runs", "iu", (n_stages,)).astype(np.int64)
        stage_mean = var("stage_mean", "f", (n_stages, k, m)).astype(np.float64)
        stages = var("stage", "iu", (n_stages,)).astype(np.int64)
        if "stage" in f:
            run_stage = _column(path, f, "stage")
            if run_stage.shape != (res.n_runs,):
                raise DamagedFile(path, f"/stage has {run_stage.shape[0]} rows, /run has "
                                        f"{res.n_runs}")
        else:
            raise DamagedFile(path, "/stage is missing (a file of `mss optimize` has it)")
        a = dict(plan_toml=attr("plan_toml", str), identity=attr("identity", str),
                 procedure=attr("procedure", str), status=attr("status", str),
                 guarantee=bool(attr("guarantee", int)), summary=attr("summary", str),
                 confidence=attr("confidence", float), delta=attr("delta", float),
                 chosen=attr("chosen", int), runs=attr("runs", int),
                 stages=attr("stages", int), first_stage=attr("first_stage", int),
                 increment=attr("increment", int), budget=attr("budget", int),
                 rinott_h=attr("rinott_h", float), rinott_runs=attr("rinott_runs", int))
    if not -1 <= a["chosen"] < k:
        raise DamagedFile(path, f"/optimize attribute `chosen` is {a['chosen']}, not an "
                                f"alternative (0..{k - 1}) or -1")
    try:
        plan = tomllib.loads(a["plan_toml"]) if a["plan_toml"] else {}
    except tomllib.TOMLDecodeError:
        plan = {}
    points = res.points.set_index("point").sort_index()
    table = pd.DataFrame(index=pd.RangeIndex(k, name="alternative"))
    for fac in res.factors:
        table[fac] = points[fac].to_numpy()
    table["label"] = cols["label"]
    table["fate"] = cols["fate"]
    table["why"] = cols["why"]
    for n in ("fate_stage", "eliminated_by", "infeasible_constraint"):
        table[n] = ints[n]
    table["feasible"] = feasible
    table["feasible_stage"] = ints["feasible_stage"]
    table["replications"] = ints["replications"]
    for j in range(m):
        for n in ("estimate", "ci_low", "ci_high"):
            table[f"{output_key(j)}_{n}"] = est[n][:, j]
    history = pd.DataFrame({"replications": stage_reps, "runs": stage_runs},
                           index=pd.Index(stages, name="stage"))
    return Optimization(plan=plan, outputs=outputs, output_kind=kind, alternatives=table,
                        estimate=est["estimate"], ci_low=est["ci_low"], ci_high=est["ci_high"],
                        stage_history=history, stage_mean=stage_mean,
                        run_stage=run_stage.astype(np.int64), **a)


def load(path: str | Path) -> Results:
    """Opens an mss-sim/2 results file; raises InputError if it is missing or not one."""
    return Results(path)


def iso_today() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
