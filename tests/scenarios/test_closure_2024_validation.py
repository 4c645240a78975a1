"""Validation of scenarios/closure-2024.toml (docs/model.md "Validation: closure-2024"): runs
the scenario as shipped (its seed and 200 replications, about a second) with the built `mss`
($MSS_BIN, default build/release/sim/app/mss) and checks, with tools/validate_closure_2024.py:

- every dated headcount of FACTS §1 and §4 lies in the simulated 90% band (P5-P95 of the
  `strength` series on that date; two reports of one day, ~970 in §4 and ~1,000 in §1 for
  30 Sep 2025, are compared as the range between them);
- what binds in most runs is what the facts say held the mission back, pledges or money
  (pipeline_billet_days or funds_held_person_days the largest), never lift.
"""
import pytest

from conftest import mss
import validate_closure_2024 as v  # noqa: E402  (tools/, put on the path by conftest)


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    out = tmp_path_factory.mktemp("closure") / "closure-2024.h5"
    mss("run", "scenarios/closure-2024.toml", "-o", out)
    return out


@pytest.mark.parametrize("which", ["total", "Kenya"])
def test_reported_headcounts_lie_in_the_band(results, which):
    rows = v.compare(results, None if which == "total" else "Kenya")
    assert len(rows) >= 7
    bad = []
    for row, p5, p50, p95, ok, dist in rows:
        if ok:
            continue
        bad.append(f"{which} {row[0]}: FACTS {row[1]}, simulated P5-P95 {p5:.0f}-{p95:.0f} "
                   f"(median {p50:.0f}), {dist:.1%} out")
    assert not bad, "\n".join(bad)


def test_pledges_or_money_bind_not_lift(results):
    shares, n = v.binding_shares(results)
    assert n == 200
    assert shares["pipeline"] + shares["funds"] > 0.5
    assert shares["lift"] < 0.05


def test_the_table_prints(results):
    text = v.markdown(results)
    assert "| 2025-01-18 | ~800 |" in text
    assert "**What binds** (200 runs)" in text
