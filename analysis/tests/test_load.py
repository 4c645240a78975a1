"""analysis.load: the library API on synthetic files."""

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis.tests import synthetic


def test_load_gives_runs_series_points_events_scenario_info(syn_plain):
    with analysis.load(syn_plain) as res:
        assert isinstance(res.runs, pd.DataFrame)
        assert list(res.runs.columns[:6]) == ["run", "point", "replication", "seed", "status",
                                              "wall_s"]
        assert res.kpi_names == [k for k, _ in synthetic.KPI_COLUMNS]
        assert res.kpi_units["gap_person_days"] == "person-day"
        assert len(res.runs) == 6 and res.replications == 6 and not res.is_sweep
        s = res.series
        assert s["strength"].dims == ("run", "time", "contingent")
        assert s["filled"].dims == ("run", "time", "contingent")
        assert s["airport_open"].dims == ("run", "time", "airport")
        assert s["airport_closed"].dims == ("run", "time", "airport", "operator_class")
        assert s["regime"].dims == ("run", "time")
        assert s["time"].values[0] == np.datetime64("2024-06-25")
        assert res.dates[0] == pd.Timestamp("2024-06-25") and len(res.dates) == 90
        assert list(s["contingent"].values) == ["Kenya", "Jamaica", "Bahamas"]
        k = s.strength.sel(contingent="Kenya").median("run")
        assert k.dims == ("time",)
        assert list(res.points.columns) == ["point"] and len(res.points) == 1
        ev = res.events
        assert {"closure_start", "closure_end"} <= set(ev["kind"].astype(str))
        assert ev["airport"].cat.categories.tolist() == ["PAP", "CAP", "SDQ"]
        assert res.scenario["scenario"]["name"] == "synthetic"
        assert res.info["format"] == "mss-sim/2"
        assert res.billets == {"Kenya": 1000, "Jamaica": 200, "Bahamas": 150}
        ck = res.contingent_kpis
        assert len(ck) == 6 * 3 and list(ck["contingent"].cat.categories) == res.contingents
        assert list(res.regimes["name"]) == ["calm", "tense", "crisis"]


def test_floor_uses_kpis_table_or_documented_defaults(tmp_path):
    with analysis.load(synthetic.write(tmp_path / "d.h5", kpis=None)) as res:
        assert res.kpi_settings.floor_frac == 0.9
        assert res.kpi_settings.foc_frac == 0.95 and res.kpi_settings.ioc_frac == 0.5
        assert res.floor == pytest.approx(0.9 * 1350)
    with analysis.load(synthetic.write(tmp_path / "k.h5", kpis={"floor_frac": 0.8})) as res:
        assert res.floor == pytest.approx(0.8 * 1350)


def test_main_airport_is_main_gateway_else_its_default_else_first_airport(tmp_path):
    with analysis.load(synthetic.write(tmp_path / "g.h5", airports=("PAP", "CAP"),
                                       main_gateway="CAP")) as res:
        assert res.main_airport == "CAP"
    # Absent: the documented default "PAP" (docs/scenario.md) when the file has it...
    with analysis.load(synthetic.write(tmp_path / "d.h5", airports=("CAP", "PAP"),
                                       main_gateway=None)) as res:
        assert res.main_airport == "PAP"
    # ... else the first airport.
    with analysis.load(synthetic.write(tmp_path / "f.h5", airports=("CAP", "SDQ"),
                                       main_gateway=None)) as res:
        assert res.main_airport == "CAP"


def test_sweep_file_has_factors_and_points(syn_sweep):
    with analysis.load(syn_sweep) as res:
        assert res.is_sweep
        assert res.factors == ["aircraft.B787-charter.count", "contingent.Kenya.tour_days"]
        assert len(res.points) == 6 and res.replications == 5 and res.n_runs == 30
        assert res.sweep["sweep"]["replications"] == 5
        np.testing.assert_array_equal(res.runs["point"], np.arange(30) // 5)
