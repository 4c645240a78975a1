"""The answers of the GSF forecast (scenarios/gsf-2026.toml and its funding sweep, issue #22), as
the sweep's header and the README state them: runs `mss sweep
scenarios/sweeps/gsf-2026-funding.toml` as shipped (7,200 runs, ~15 s on 2 cores) and `mss run scenarios/gsf-2026.toml` with the built
`mss` ($MSS_BIN, default build/release/sim/app/mss), and reads them with tools/gsf_2026.py:

- the point with the base's money is the base scenario run for run (common random numbers);
- no funding reaches 80%: every point's P(FOC by 1 Oct 2026) is at most the richest point's;
- money that holds nobody costs nothing, and at $7M a month money stops costing FOC from $60M;
- the force-generation path prints against FACTS §4.
"""
import h5py
import numpy as np
import pytest

from conftest import mss
import gsf_2026 as g  # noqa: E402  (tools/, put on the path by conftest)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("gsf")
    mss("sweep", "scenarios/sweeps/gsf-2026-funding.toml", "-o", d / "f.h5")
    mss("run", "scenarios/gsf-2026.toml", "-o", d / "g.h5")
    return d / "f.h5", d / "g.h5"


def point(d, monthly, opening):
    return next(p for p in range(len(d["level"]))
                if d["monthly"][d["level"][p]][0] == monthly and d["opening"][p] == opening)


def test_the_base_point_is_the_base_run(files):
    d = g.load_funding(files[0])
    base = point(d, 7e6, 100e6)
    with h5py.File(files[1]) as f:
        foc = np.isfinite(f["days_to_foc"][:][np.argsort(f["replication"][:])])
    assert (d["foc"][base] == foc).all()
    assert int(foc.sum()) == 17


def test_no_funding_reaches_80_percent_and_the_cap_is_the_pipelines(files):
    d = g.load_funding(files[0])
    richest = point(d, 14e6, 200e6)
    cap = d["foc"][richest]
    assert int(cap.sum()) == 17 and g.wilson(17, 200)[1] < 0.8
    for p in range(len(d["level"])):
        assert not (d["foc"][p] & ~cap).any()          # money never adds a run reaching FOC
        if not (d["held"][p] > 0).any():
            assert (d["foc"][p] == cap).all()           # holding nobody costs nothing
        assert (d["kpis"][p].argmax(axis=1) == 3).all()  # the pipeline binds in every run


def test_the_thresholds_at_the_assumed_pace(files):
    d = g.load_funding(files[0])
    cap = d["foc"][point(d, 14e6, 200e6)]
    assert (d["foc"][point(d, 7e6, 60e6)] == cap).all()
    assert int(d["foc"][point(d, 7e6, 50e6)].sum()) == 13
    assert int(d["foc"][point(d, 7e6, 25e6)].sum()) == 0


def test_the_tables_print(files, capsys):
    g.funding(files[0])
    out = capsys.readouterr().out
    assert "- $7M a month: no FOC lost from $60M" in out
    g.force_generation(files[1])
    out = capsys.readouterr().out
    assert "peak of the median headcount: 3,800 = 68.5% of the ceiling" in out
