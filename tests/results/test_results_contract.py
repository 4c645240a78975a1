"""The results file contract (DESIGN §5, docs/results.md) on a file the CLI writes."""
import io
import subprocess
import tomllib

import h5py
import numpy as np
import pandas as pd
import xarray as xr

from conftest import ROOT, mss

KPIS = ["days_to_ioc", "days_to_foc", "mean_filled_frac", "mean_strength_frac",
        "shortfall_billet_days", "gap_person_days", "days_below_floor", "min_filled_frac",
        "overstay_person_days", "flights_flown", "flights_diverted", "flights_cancelled",
        "pax_in", "pax_out", "airport_closed_days", "injured", "killed", "medevacs",
        "attrited", "cost_usd", "funds_held_person_days", "beds_held_person_days",
        "lift_held_person_days", "pipeline_billet_days"]
CONTINGENT_KPIS = ["days_to_foc", "mean_filled_frac", "mean_strength_frac",
                   "overstay_person_days", "pax_in", "pipeline_days"]


def test_root_attributes_record_provenance(baseline_file):
    with h5py.File(baseline_file) as f:
        a = f.attrs
        assert a["format"] == "mss-sim/2"
        assert a["Conventions"] == "CF-1.8"
        assert a["title"] == 'mss-sim results: scenario "baseline"'
        assert a["source"].startswith("mss ") and a["git_commit"] in a["source"]
        assert "docs/results.md" in a["references"]
        # CF history: "YYYY-MM-DDTHH:MM:SSZ mss ARGS"
        stamp, _, cmd = a["history"].partition(" ")
        assert stamp == a["created_utc"] and len(stamp) == 20 and stamp.endswith("Z")
        assert cmd.startswith("mss run scenarios/baseline.toml")
        for key in ("mss_version", "git_commit", "build_type", "build_flags", "hdf5_version",
                    "boost_version", "eigen_version", "created_utc", "command_line"):
            assert key in a, key
        assert "mss" in a["command_line"] and "run" in a["command_line"]
        assert a["deflate_encoder"].startswith("isa-l ")


def test_git_commit_is_the_built_tree(baseline_file):
    """Taken at build time (tools/git_commit.cmake), not when CMake was configured."""
    with h5py.File(baseline_file) as f:
        commit = f.attrs["git_commit"]
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    if head.returncode != 0:
        assert commit == "unknown"
        return
    sha = commit.removesuffix("-dirty")
    assert len(sha) >= 7 and head.stdout.strip().startswith(sha), (commit, head.stdout)


def test_scenario_group_holds_the_resolved_toml(baseline_file):
    with h5py.File(baseline_file) as f:
        text = f["scenario"].attrs["toml"]
        doc = tomllib.loads(text)
        assert doc["scenario"]["horizon_days"] == 90  # the --set override is applied
        assert f["scenario"].attrs["start_date"] == "2024-06-01"


def test_root_opens_in_xarray_with_one_variable_per_kpi(baseline_file):
    ds = xr.open_dataset(baseline_file, engine="h5netcdf")
    assert ds.sizes["run"] == 6 and list(ds.run.values) == list(range(6))
    for c in ("point", "replication", "seed", "status"):
        assert c in ds.coords and ds[c].dims == ("run",)
    assert ds.seed.dtype == np.uint64 and ds.status.dtype == np.int8
    assert list(ds.replication.values) == list(range(6)) and set(ds.point.values) == {0}
    assert ds.status.attrs["flag_meanings"] == "ok failed"
    with h5py.File(baseline_file) as f:
        assert [k.decode() if isinstance(k, bytes) else k for k in f["run"].attrs["kpis"]] == KPIS
    for k in KPIS:
        v = ds[k]
        assert v.dims == ("run",) and v.dtype == np.float64, k
        assert v.attrs["units"] in ("day", "1", "USD") and v.attrs["long_name"], k
    for k in CONTINGENT_KPIS:
        v = ds["contingent_" + k]
        assert v.dims == ("run", "contingent") and v.dtype == np.float64, k
        assert v.attrs["units"] in ("day", "1", "USD") and v.attrs["long_name"], k
    assert list(ds.contingent.values)[:2] == ["Kenya", "Benin"]
    assert list(ds.design_point.values) == [0]
    # No variable decodes to a timedelta (units are the singular `day`).
    assert not [k for k in ds.variables if ds[k].dtype.kind == "m"]


def test_sweep_factors_are_variables_over_design_point(tmp_path):
    out = tmp_path / "sweep.h5"
    mss("sweep", "scenarios/sweeps/fleet-vs-tour.toml", "-o", out, "--quiet")
    ds = xr.open_dataset(out, engine="h5netcdf")
    with h5py.File(out) as f:
        factors = [k.decode() if isinstance(k, bytes) else k
                   for k in f["design_point"].attrs["factors"]]
        sweep = tomllib.loads(f["scenario"].attrs["sweep_toml"])
    assert factors == [x["key"] for x in sweep["factor"]]
    assert list(ds.design_point.values) == list(range(ds.sizes["design_point"]))
    for k in factors:
        assert ds[k].dims == ("design_point",) and ds[k].dtype == np.float64
    assert set(ds.point.values) == set(ds.design_point.values)


def test_series_have_named_dimensions_a_time_axis_and_units(baseline_file):
    ds = xr.open_dataset(baseline_file, engine="h5netcdf", group="series")
    for name in ("strength", "on_duty", "filled", "waiting_at_origin", "in_transit"):
        assert ds[name].dims == ("run", "time", "contingent")
        assert ds[name].dtype == np.float32
    assert ds.airport_open.dims == ("run", "time", "airport")
    assert ds.airport_closed.dims == ("run", "time", "airport", "operator_class")
    assert list(ds.operator_class.values) == ["all", "charter", "military", "commercial"]
    assert ds.regime.dims == ("run", "time") and ds.regime.dtype == np.int8
    assert ds.sizes["run"] == 6 and ds.sizes["time"] == 90
    assert ds.payer_balance.dims == ("run", "time", "payer") and ds.sizes["payer"] == 0
    for name in ds.data_vars:
        if name != "time_bnds":
            unit = "USD" if name == "payer_balance" else "1"
            assert ds[name].attrs["long_name"] and ds[name].attrs["units"] == unit, name
    assert "point" in ds.coords and "replication" in ds.coords
    assert list(ds.contingent.values)[:2] == ["Kenya", "Benin"]
    assert "PAP" in list(ds.airport.values)
    assert ds.time.values[0] == np.datetime64("2024-06-01")
    assert ds.time.values[-1] == np.datetime64("2024-08-29")
    assert (ds.time_bnds.values[:, 1] - ds.time_bnds.values[:, 0] == np.timedelta64(1, "D")).all()
    assert "date" not in ds.variables and "day" not in ds.dims
    raw = xr.open_dataset(baseline_file, engine="h5netcdf", group="series", decode_times=False)
    assert raw.time.attrs["units"] == "days since 2024-06-01"
    assert raw.time.attrs["calendar"] == "standard" and raw.time.attrs["bounds"] == "time_bnds"
    assert list(raw.time.values) == list(range(90))
    assert list(raw.regime.attrs["flag_values"]) == [-1, 0, 1, 2]
    assert raw.regime.attrs["flag_meanings"] == "violence_off calm tense violent"
    # filled billets are on duty; on duty never exceeds strength; closed-to-all is not open
    assert (ds.on_duty <= ds.strength).all() and (ds.filled <= ds.on_duty).all()
    assert (ds.airport_closed.sel(operator_class="all") <= 1 - ds.airport_open + 1e-6).all()


def test_airport_closed_all_adds_up_to_airport_closed_days(baseline_file):
    s = xr.open_dataset(baseline_file, engine="h5netcdf", group="series")
    root = xr.open_dataset(baseline_file, engine="h5netcdf")
    days = s.airport_closed.sel(airport="PAP", operator_class="all").astype("f8").sum("time")
    np.testing.assert_allclose(days.values, root.airport_closed_days.values, atol=1e-4)


def test_contingent_kpis_and_regimes(baseline_file):
    with h5py.File(baseline_file) as f:
        for k in CONTINGENT_KPIS:
            assert f["contingent_" + k].shape == (6, 6)
    reg = xr.open_dataset(baseline_file, engine="h5netcdf", group="regimes")
    assert list(reg.regime.values) == ["calm", "tense", "violent"]
    assert abs(float(reg.stationary_share.sum()) - 1.0) < 1e-12


def test_events_are_labelled_integer_codes(baseline_file):
    with h5py.File(baseline_file) as f:
        ev = f["tables/events"]
        assert ev.dtype.names == ("run", "t_h", "kind", "contingent", "airport", "count")
        labels = list(ev.attrs["kind_labels"])
        assert "landed" in labels
        assert h5py.check_enum_dtype(ev.dtype["kind"]) is not None
        data = ev[:]
        assert len(data) > 0
        assert (np.diff(data["run"]) >= 0).all()


def test_kpi_values_equal_those_mss_summary_prints(baseline_file):
    r = mss("summary", baseline_file, "--csv")
    table = pd.read_csv(io.StringIO(r.stdout), float_precision="round_trip").set_index("kpi")
    ds = xr.open_dataset(baseline_file, engine="h5netcdf")
    for k in KPIS:
        v = ds[k].values[~np.isnan(ds[k].values)]
        row = table.loc[k]
        assert row["n"] == len(v) and row["runs"] == 6
        if len(v):
            assert row["mean"] == v.mean() or abs(row["mean"] - v.mean()) <= 1e-12 * abs(v.mean())
            # A first-day KPI's min and max are over all runs, never (inf) beyond the horizon.
            never = np.inf if len(v) < ds.sizes["run"] and row["reached"] == row["reached"] else None
            assert row["min"] == v.min() and row["max"] == (never or v.max())


def test_a_file_of_another_format_is_refused_by_every_reader(baseline_file, tmp_path):
    old = tmp_path / "old.h5"
    with h5py.File(old, "w") as f:
        f.attrs["format"] = "mss-sim/1"
        f.create_dataset("runs", data=np.zeros(1, [("run", "i8")]))
    want = f"{old} is format mss-sim/1; this mss reads mss-sim/2"
    for args in (["summary", old], ["merge", tmp_path / "m.h5", old]):
        r = mss(*args, check=False)
        assert r.returncode == 2 and want in r.stderr, (args, r.stderr)
    r = subprocess.run(["/usr/bin/python3", "-m", "analysis", "summary", str(old)], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 2 and want in r.stderr, r.stderr


def test_h5dump_reads_the_file(baseline_file):
    r = subprocess.run(["h5dump", "-H", str(baseline_file)], capture_output=True, text=True)
    assert r.returncode == 0
    assert "series" in r.stdout
