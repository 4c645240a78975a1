"""DESIGN §2 identity of two results files, shared by the results and cluster tests: every
dataset equal value for value (NaN == NaN) except `wall_s`, /scenario attributes equal,
root attributes equal except those recording the invocation."""
import h5py
import numpy as np

#: Datasets (root variables) and compound columns that record the wall clock.
VOLATILE_COLUMNS = {"wall_s"}
VOLATILE_ATTRS = {"created_utc", "command_line", "history"}


def _equal(a, b) -> bool:
    if a.dtype.names:
        if a.dtype.names != b.dtype.names:
            return False
        return all(_equal(a[n], b[n]) for n in a.dtype.names if n not in VOLATILE_COLUMNS)
    if a.shape != b.shape:
        return False
    if a.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True))
    return bool(np.array_equal(a, b))


def _per_run(obj) -> bool:
    """True for a dataset whose first dimension is `run` (or the run scale itself)."""
    if obj.name in ("/run", "/series/run"):
        return True
    if obj.ndim == 0 or obj.name == "/tables/events":
        return False
    return any(s.name in ("/run", "/series/run") for s in obj.dims[0].values())


def datasets(f: h5py.File) -> dict:
    """Dataset name -> values, but the volatile ones (wall_s)."""
    out = {}
    f.visititems(lambda name, obj: out.__setitem__(name, obj[()])
                 if isinstance(obj, h5py.Dataset) and name not in VOLATILE_COLUMNS else None)
    return out


def per_run_datasets(f: h5py.File) -> set:
    out = set()
    f.visititems(lambda name, obj: out.add(name)
                 if isinstance(obj, h5py.Dataset) and _per_run(obj) else None)
    return out


def assert_identical(path_a, path_b, rows=None, ignore_attrs=(), scenario_attrs=True):
    """With `rows`, a holds exactly `rows` runs and is compared with the first `rows` of b.
    `ignore_attrs` are further root attributes to skip (e.g. a shard's slice)."""
    with h5py.File(path_a, "r") as fa, h5py.File(path_b, "r") as fb:
        da, db = datasets(fa), datasets(fb)
        per_run = per_run_datasets(fb)
        assert da.keys() == db.keys()
        for name in da:
            a, b = da[name], db[name]
            if rows is not None and name in per_run:
                b = b[:rows]
            if rows is not None and name == "tables/events":
                b = b[b["run"] < rows]
            assert _equal(a, b), f"dataset {name} differs"
        if scenario_attrs:
            assert dict(fa["scenario"].attrs) == dict(fb["scenario"].attrs)
        skip = VOLATILE_ATTRS | set(ignore_attrs)
        ra = {k: v for k, v in fa.attrs.items() if k not in skip}
        rb = {k: v for k, v in fb.attrs.items() if k not in skip}
        assert ra == rb
