#!/usr/bin/python3
"""Validation of scenarios/closure-2024.toml against the dated headcounts of FACTS §1 (and §4).

    mss run scenarios/closure-2024.toml -o runs/closure-2024.h5 --force
    /usr/bin/python3 tools/validate_closure_2024.py runs/closure-2024.h5

prints, in Markdown, each reported headcount beside the simulated median and 90% band (P5-P95,
numpy's default linear quantile, as `mss summary`) of the `strength` series (a headcount: every
officer in theatre, on duty or injured) at the end of the day compared, then the same for the
Kenyan contingent alone, then the share of runs each constraint binds (the largest of
funds_held_person_days, beds_held_person_days, lift_held_person_days and pipeline_billet_days;
ties go to the first, as docs/model.md "What binds" says).

Reading a reported figure: "~X" and "X" are compared as X itself (no tolerance); ">X" lies in
the band when P95 > X; a range "X-Y" when it overlaps the band. docs/model.md "Validation:
closure-2024" gives the table, which facts were used to calibrate (in-sample) and which not.
"""
import argparse
import datetime as dt
import sys

import h5py
import numpy as np

# (date compared, FACTS as written, kind, value(s), section, in-sample?, basis)
# kind: "eq" compares the figure, "gt" a lower bound, "range" an interval.
TOTAL = [
    ("2024-06-25", "~200 (⚠ 400)", "eq", 200, "§1", True, "1st Kenyan flight; an input"),
    ("2024-07-31", "~400", "eq", 400, "§1", True, "2nd Kenyan flight (16 Jul); an input"),
    ("2024-09-30", "~436", "eq", 436, "§1", True, "Kenya says 410 + Jamaica 24 + Belize 2; inputs"),
    ("2024-12-31", "~430", "eq", 430, "§1", False, "after resignations; + Bahamas 6"),
    ("2025-01-04", ">500", "gt", 500, "§1", True, "+ Guatemala 150, El Salvador 8"),
    ("2025-01-18", "~800", "eq", 800, "§1", True, "3rd Kenyan flight (217)"),
    ("2025-02-10", "~1,000", "eq", 1000, "§1", True, "+ El Salvador ~70, Kenya 144"),
    ("2025-06-30", "~1,000-1,077", "range", (1000, 1077), "§1", False, "wiki snapshot 1,077 (L)"),
    ("2025-08-29", "~1,000", "eq", 1000, "§1", False, "~1,000 from 6 countries"),
    # Two reports of the same day: §4's ~970 (confidence M, efe.com) and §1's ~1,000 (H, the
    # UN and capitalfm, compared on 1 Oct below); the figure is somewhere between them.
    ("2025-09-30", "~970-1,000", "range", (970, 1000), "§4, §1", False,
     "two reports of that day: stalled at ~970 (§4, M); ~1,000 (§1, H)"),
    ("2025-10-01", "~1,000", "eq", 1000, "§1", False, "Res 2793; Kenya has 735"),
    ("2025-12-15", "980", "eq", 980, "§1", False, "after the first rotation (8-9 Dec)"),
    ("2026-01-15", "~1,000", "eq", 1000, "§1", False, "GSF ~1,000, mostly Kenyan"),
    ("2026-02-07", "~1,000", "eq", 1000, "§4", False, "735 Kenyans in a force of ~1,000"),
]
KENYA = [
    ("2024-09-30", "410", "eq", 410, "§1", True,
     "Kenya says 410 deployed; the airline group of 12 calibrated on it"),
    ("2025-01-02", "~396", "eq", 396, "§1", True,
     "early Jan 2025, after ~20 resignations (L); losses not replaced read off it"),
    ("2025-01-18", "~613", "eq", 613, "§1", True,
     "after the 3rd flight; losses not replaced read off it"),
    ("2025-02-10", "~760", "eq", 760, "§1", True, "after the 4th flight"),
    ("2025-08-29", ">700", "gt", 700, "§1", False, ">700 Kenyan"),
    ("2025-10-01", "735", "eq", 735, "§1", True,
     "Kenya has 735; losses not replaced and the Kenyan attrition read off it"),
    ("2026-02-07", "735", "eq", 735, "§4", True, "735 Kenyans; losses not replaced read off it"),
]
BINDING = ["funds_held_person_days", "beds_held_person_days", "lift_held_person_days",
           "pipeline_billet_days"]


def _text(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def load(path):
    """(start date, contingent names, strength [run, day, contingent], KPIs of what binds)."""
    with h5py.File(path, "r") as f:
        start = dt.date.fromisoformat(_text(f["scenario"].attrs["start_date"])[:10])
        names = [_text(x) for x in f["series/contingent"][:]]
        ok = f["status"][:] == 0
        strength = f["series/strength"][:][ok]
        binding = np.stack([f[k][:][ok] for k in BINDING], axis=1)
    return start, names, strength, binding


def in_band(kind, value, p5, p95):
    if kind == "gt":
        return bool(p95 > value)
    if kind == "range":
        return bool(value[0] <= p95 and value[1] >= p5)
    return bool(p5 <= value <= p95)


def distance(kind, value, p5, p95):
    """How far outside the band the figure lies, as a share of the figure (0 inside)."""
    if in_band(kind, value, p5, p95):
        return 0.0
    v = value if kind != "range" else (value[0] if value[0] > p95 else value[1])
    return float(max(p5 - v, v - p95) / v)


def compare(path, contingent=None):
    """Rows of (row, P5, P50, P95, in band, distance) for the totals or one contingent."""
    start, names, strength, _ = load(path)
    rows = TOTAL if contingent is None else KENYA
    series = strength.sum(axis=2) if contingent is None else strength[:, :, names.index(contingent)]
    out = []
    for row in rows:
        day = (dt.date.fromisoformat(row[0]) - start).days
        p5, p50, p95 = np.quantile(series[:, day], [0.05, 0.5, 0.95])
        out.append((row, p5, p50, p95, in_band(row[2], row[3], p5, p95),
                    distance(row[2], row[3], p5, p95)))
    return out


def binding_shares(path):
    """Share of runs in which each constraint binds ("nothing" when all four are 0)."""
    _, _, _, k = load(path)
    which = np.where(k.max(axis=1) > 0, np.argmax(k, axis=1), len(BINDING))
    labels = [b.split("_")[0] for b in BINDING] + ["nothing"]
    return {labels[i]: float(np.mean(which == i)) for i in range(len(labels))}, len(k)


def fmt(x):
    return f"{x:,.0f}"


def markdown(path):
    lines = []
    for title, contingent in (("Total strength (all contingents)", None), ("Kenya", "Kenya")):
        rows = compare(path, contingent)
        lines += [f"**{title}**", "",
                  "| date compared | FACTS | section | simulated P5 | median | P95 | in band | in-sample | basis |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for row, p5, p50, p95, ok, dist in rows:
            date, written, _, _, sec, insample, basis = row
            verdict = "yes" if ok else f"**no** ({dist:.1%} out)"
            lines.append(f"| {date} | {written} | {sec} | {fmt(p5)} | {fmt(p50)} | {fmt(p95)} | "
                         f"{verdict} | {'yes' if insample else 'no'} | {basis} |")
        lines.append("")
    shares, n = binding_shares(path)
    lines.append(f"**What binds** ({n} runs): " + ", ".join(
        f"{k} {v:.0%}" for k, v in shares.items() if v > 0 or k != "nothing"))
    return "\n".join(lines)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", nargs="?", default="runs/closure-2024.h5",
                    help="results file of mss run scenarios/closure-2024.toml")
    a = ap.parse_args(argv)
    print(markdown(a.results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
