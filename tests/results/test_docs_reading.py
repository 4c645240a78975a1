"""The one-liners of docs/results.md "Reading it" run unchanged on a plain run and on a sweep
the simulator writes (DESIGN §5: the file opens the way analysts open netCDF)."""
import re

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from conftest import ROOT, mss


def reading_blocks() -> list[str]:
    text = (ROOT / "docs" / "results.md").read_text()
    section = text.split("\n## Reading it\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


@pytest.fixture(scope="module", params=["run", "sweep"])
def results_file(request, tmp_path_factory):
    """Files that reach 2025-01-01 (the baseline starts 2024-06-01)."""
    out = tmp_path_factory.mktemp("docs") / f"{request.param}.h5"
    if request.param == "run":
        mss("run", "scenarios/baseline.toml", "-r", 4, "-o", out, "--quiet",
            "--set", "scenario.horizon_days=300")
    else:
        mss("sweep", "scenarios/sweeps/fleet-vs-tour.toml", "-o", out, "--quiet",
            "--set", "sweep.replications=2")
    return out


def test_the_section_has_the_promised_one_liners():
    blocks = reading_blocks()
    assert len(blocks) == 6
    joined = "\n".join(blocks)
    for needle in ('xr.open_dataset(f, engine="h5netcdf")', '.sel(time="2025-01-01")',
                   '.resample(time="MS").mean()', "h5py.File(f", "to_dataframe()",
                   "pd.DataFrame("):
        assert needle in joined, needle


def test_every_block_runs_unchanged(results_file):
    got = {}
    for block in reading_blocks():
        scope = {"f": str(results_file)}
        exec(compile(block, "docs/results.md", "exec"), scope)  # noqa: S102 - our own docs
        got.update({k: v for k, v in scope.items() if k not in ("f", "__builtins__")})
    ds, runs = got["ds"], got["runs"]
    n = ds.sizes["run"]
    assert n > 0 and ds["cost_usd"].dims == ("run",) and ds["cost_usd"].attrs["units"] == "USD"
    assert ds["contingent_pax_in"].dims == ("run", "contingent")
    assert {"point", "replication", "seed", "status"} <= set(ds.coords)
    assert not [k for k in ds.variables if ds[k].dtype.kind == "m"]
    day = got["day"]
    assert "time" not in day.dims and day["time"].values == np.datetime64("2025-01-01")
    assert day["strength"].dims == ("run", "contingent")
    monthly = got["monthly"]
    assert pd.Timestamp(monthly["time"].values[0]) == pd.Timestamp("2024-06-01")
    assert (pd.DatetimeIndex(monthly["time"].values).day == 1).all()
    assert set(monthly["strength"].dims) == {"run", "time", "contingent"}
    np.testing.assert_array_equal(got["cost"], ds["cost_usd"].values)
    assert isinstance(runs, pd.DataFrame) and len(runs) == n
    assert {"cost_usd", "point", "replication", "seed", "status"} <= set(runs.columns)
    assert list(runs.index) == list(range(n))
    ev = got["events"]
    assert list(ev.columns) == ["run", "t_h", "kind", "contingent", "airport", "count"]
    assert len(ev) > 0 and set(ev["run"]) <= set(range(n))
    if "sweep" in str(results_file):
        assert ds.sizes["design_point"] == 4 and "aircraft.B787-charter.count" in ds
        assert ds["aircraft.B787-charter.count"].dims == ("design_point",)


def test_the_same_sweep_opens_by_point(results_file):
    ds = xr.open_dataset(results_file, engine="h5netcdf")
    means = ds["pax_in"].groupby("point").mean()
    assert means.sizes["point"] == ds.sizes["design_point"]
