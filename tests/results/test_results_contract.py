"""The results file contract (DESIGN §5, docs/results.md) on a file the CLI writes."""
import io
import subprocess
import tomllib

import h5py
import numpy as np
import pandas as pd
import xarray as xr

from conftest import ROOT, mss

KPIS = ["days_to_ioc", "days_to_foc", "mean_strength_frac", "gap_person_days",
        "overstay_person_days", "flights_flown", "flights_diverted", "flights_cancelled",
        "pax_in", "pax_out", "airport_closed_days", "injured", "killed", "medevacs",
        "attrited", "cost_usd"]


def test_root_attributes_record_provenance(baseline_file):
    with h5py.File(baseline_file) as f:
        a = f.attrs
        assert a["format"] == "mss-sim/1"
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


def test_runs_table_has_one_row_per_run_in_run_order(baseline_file):
    with h5py.File(baseline_file) as f:
        runs = f["runs"][:]
        names = runs.dtype.names
        assert names[:6] == ("run", "point", "replication", "seed", "status", "wall_s")
        assert list(names[6:6 + len(KPIS)]) == KPIS
        assert runs.dtype["run"] == np.int64 and runs.dtype["seed"] == np.uint64
        assert runs.dtype["status"] == np.int8
        assert list(runs["run"]) == list(range(6))
        assert list(runs["replication"]) == list(range(6))
        assert set(runs["point"]) == {0}
        assert (runs["status"] == 0).all()
        pts = f["points"][:]
        assert pts.dtype.names == ("point",) and len(pts) == 1


def test_series_have_named_dimensions_labels_and_dates(baseline_file):
    ds = xr.open_dataset(baseline_file, engine="h5netcdf", group="series")
    for name in ("strength", "on_duty", "waiting_at_origin", "in_transit"):
        assert ds[name].dims == ("run", "day", "contingent")
        assert ds[name].dtype == np.float32
    assert ds.airport_open.dims == ("run", "day", "airport")
    assert ds.regime.dims == ("run", "day") and ds.regime.dtype == np.int8
    assert ds.sizes["run"] == 6 and ds.sizes["day"] == 90
    assert list(ds.contingent.values)[:2] == ["Kenya", "Benin"]
    assert "PAP" in list(ds.airport.values)
    assert ds.date.values[0] == "2024-06-01" and ds.date.values[-1] == "2024-08-29"
    assert list(ds.day.values) == list(range(90))
    # on duty never exceeds strength
    assert (ds.on_duty <= ds.strength).all()


def test_contingent_kpis_and_regimes(baseline_file):
    with h5py.File(baseline_file) as f:
        ck = f["contingent_kpis"]
        assert ck.shape == (6, 6)
        assert ck.dtype.names == ("days_to_foc", "mean_strength_frac", "overstay_person_days",
                                  "pax_in")
        reg = f["regimes"][:]
        assert [n.decode() for n in reg["name"]] == ["calm", "tense", "violent"]
        assert abs(reg["stationary_share"].sum() - 1.0) < 1e-12


def test_events_are_labelled_integer_codes(baseline_file):
    with h5py.File(baseline_file) as f:
        ev = f["events"]
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
    with h5py.File(baseline_file) as f:
        runs = f["runs"][:]
    for k in KPIS:
        v = runs[k][~np.isnan(runs[k])]
        row = table.loc[k]
        assert row["n"] == len(v) and row["runs"] == 6
        if len(v):
            assert row["mean"] == v.mean() or abs(row["mean"] - v.mean()) <= 1e-12 * abs(v.mean())
            # A first-day KPI's min and max are over all runs, never (inf) beyond the horizon.
            never = np.inf if len(v) < len(runs) and row["reached"] == row["reached"] else None
            assert row["min"] == v.min() and row["max"] == (never or v.max())


def test_h5dump_reads_the_file(baseline_file):
    r = subprocess.run(["h5dump", "-H", str(baseline_file)], capture_output=True, text=True)
    assert r.returncode == 0
    assert "series" in r.stdout
