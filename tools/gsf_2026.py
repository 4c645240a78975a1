#!/usr/bin/python3
"""The answers of the GSF forecast (scenarios/gsf-2026.toml, issue #22), read from results files.

    mss sweep scenarios/sweeps/gsf-2026-funding.toml --force
    /usr/bin/python3 tools/gsf_2026.py funding runs/gsf-2026-funding.h5

prints, in Markdown, one row per design point of the funding sweep: the trust fund's monthly
contribution (Mar-Sep 2026) and opening balance, P(FOC by the horizon) as k/n with its 95%
Wilson interval, the runs lost against the richest point (paired: common random numbers, so
replication r of every point saw the same draws), the person-days held for funds, the runs in
which anything was held, and what binds (the largest of funds_held_person_days,
beds_held_person_days, lift_held_person_days and pipeline_billet_days; ties to the first, as
docs/model.md "What binds"); then, per monthly level, the smallest opening balance from which
no more FOC is lost to money (every larger balance too) and the smallest from which no run is
held at all.

    mss run scenarios/gsf-2026.toml --force
    /usr/bin/python3 tools/gsf_2026.py force-generation runs/gsf-2026.h5

prints the force-generation path against the reference levels of FACTS §4: the median over
runs of the headcount (the `strength` series summed over contingents: every officer in
theatre, on duty or injured, at the end of the day; numpy's median), its peak and the first day
it reaches it, in months from the authorisation of 30 Sep 2025 (Res. 2793, FACTS §1/§4;
months of 30.4375 days) and as a share of the ceiling (the scenario's billets, 5,550), with the
P10-P90 band that day, and the first day the median reaches 95% of its peak (where a
plateau begins); the median over runs of each run's own peak and of its date; and
the share of runs whose headcount reaches 92.5% of the ceiling (the UN missions' average peak,
FACTS §4) with its Wilson interval; and whether the peak is censored by the horizon (the median
still at its peak on the last day).
"""
import argparse
import datetime as dt
import sys
import tomllib

import h5py
import numpy as np

AUTHORISED = dt.date(2025, 9, 30)  # Res. 2793 (FACTS §1, §4)
MONTH_DAYS = 30.4375
REFERENCE_SHARE = 0.925  # UN missions' average peak, share of the ceiling (FACTS §4, Rappa 2016)
BINDING = ["funds_held_person_days", "beds_held_person_days", "lift_held_person_days",
           "pipeline_billet_days"]
BINDING_NAMES = ["funds", "beds", "lift", "pipeline"]
Z95 = 1.959963984540054


def _text(x):
    return x.decode() if isinstance(x, bytes) else str(x)


def wilson(k, n, z=Z95):
    """95% Wilson score interval of k successes in n trials (as `mss summary`)."""
    if n == 0:
        return float("nan"), float("nan")
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def binds(kpis):
    """Index into BINDING of what binds in each run (-1: nothing), kpis [run, 4]."""
    out = np.argmax(kpis, axis=1)  # argmax takes the first of ties, as the model does
    out[kpis.max(axis=1) <= 0] = -1
    return out


def money(x):
    return f"${x / 1e6:g}M"


# ------------------------------------------------------------------------------ funding

def load_funding(path):
    with h5py.File(path, "r") as f:
        sweep = tomllib.loads(_text(f["scenario"].attrs["sweep_toml"]))
        reps = int(f["replication"][:].max()) + 1
        points = int(f["design_point"].shape[0])
        monthly_key, opening_key = "funding.contribution", "funding.payer.UN-trust-fund.initial_usd"
        level = f[monthly_key][:].astype(int)
        opening = f[opening_key][:]
        order = np.lexsort((f["replication"][:], f["point"][:]))
        ok = (f["status"][:] == 0)[order].reshape(points, reps)
        foc = np.isfinite(f["days_to_foc"][:][order]).reshape(points, reps)
        held = f["funds_held_person_days"][:][order].reshape(points, reps)
        kpis = np.stack([f[k][:][order] for k in BINDING], axis=1).reshape(points, reps, 4)
    if not ok.all():
        sys.exit(f"{path}: {int((~ok).sum())} runs failed (status != 0)")
    # The monthly amount of each level of the contribution factor, from the sweep's own text.
    values = next(fa["values"] for fa in sweep["factor"] if fa["key"] == monthly_key)
    monthly = []
    for schedule in values:
        amounts = {c["amount_usd"] for c in schedule}
        if len(amounts) != 1:
            sys.exit(f"{path}: level {len(monthly)} of {monthly_key} is not one amount a month")
        monthly.append((amounts.pop(), len(schedule)))
    return dict(level=level, opening=opening, monthly=monthly, foc=foc, held=held, kpis=kpis,
                reps=reps)


def funding(path):
    d = load_funding(path)
    level, opening, monthly, foc, held = d["level"], d["opening"], d["monthly"], d["foc"], d["held"]
    n = d["reps"]
    richest = max(range(len(level)), key=lambda p: (monthly[level[p]][0], opening[p]))
    print(f"Reference (most money): point {richest}, {money(monthly[level[richest]][0])} a month "
          f"and {money(opening[richest])} at the start: FOC in {int(foc[richest].sum())}/{n}.\n")
    print("| point | a month | at the start | in all | P(FOC) | 95% CI (Wilson) | lost vs "
          f"point {richest} | funds-held person-days (mean) | runs held | binds: funds, beds, "
          "lift, pipeline |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for p in range(len(level)):
        amount, count = monthly[level[p]]
        k = int(foc[p].sum())
        lo, hi = wilson(k, n)
        lost = int((foc[richest] & ~foc[p]).sum())
        gained = int((foc[p] & ~foc[richest]).sum())
        b = binds(d["kpis"][p])
        shares = ", ".join(str(int((b == i).sum())) for i in range(4))
        lost_text = f"{lost}" + (f" (gained {gained})" if gained else "")
        total = opening[p] + count * amount
        print(f"| {p} | {money(amount)} | {money(opening[p])} | {money(total)} "
              f"| {k}/{n} = {k / n:.3f} | [{lo:.3f}, {hi:.3f}] | {lost_text} "
              f"| {held[p].mean():,.0f} | {int((held[p] > 0).sum())} | {shares} |")
    print("\nPer monthly level, the smallest opening balance from which money costs no FOC (no "
          f"run reaches FOC less often than at point {richest}, at it and every larger balance), "
          "and from which no run is held for funds at all:\n")
    for lv, (amount, count) in enumerate(monthly):
        pts = sorted((p for p in range(len(level)) if level[p] == lv), key=lambda p: opening[p])
        no_loss = no_hold = None
        for i, p in enumerate(pts):
            tail = pts[i:]
            if no_loss is None and all(not (foc[richest] & ~foc[q]).any() for q in tail):
                no_loss = p
            if no_hold is None and all(not (held[q] > 0).any() for q in tail):
                no_hold = p
        below = pts[pts.index(no_loss) - 1] if no_loss is not None and pts.index(no_loss) else None
        text = f"- {money(amount)} a month: "
        text += (f"no FOC lost from {money(opening[no_loss])} (in all "
                 f"{money(opening[no_loss] + count * amount)})" if no_loss is not None
                 else "FOC lost at every opening balance")
        if below is not None:
            k = int(foc[below].sum())
            text += f"; at {money(opening[below])}: {k}/{n}"
        text += (f"; nobody held from {money(opening[no_hold])}" if no_hold is not None
                 else "; someone is held at every opening balance")
        print(text)


# ------------------------------------------------------------------------------ force generation

def force_generation(path):
    with h5py.File(path, "r") as f:
        start = dt.date.fromisoformat(_text(f["scenario"].attrs["start_date"])[:10])
        scenario = tomllib.loads(_text(f["scenario"].attrs["toml"]))
        ok = f["status"][:] == 0
        strength = f["series/strength"][:][ok].sum(axis=2)  # [run, day]
    ceiling = sum(c["billets"] for c in scenario["contingent"])
    days = strength.shape[1]

    def when(day):
        date = start + dt.timedelta(days=int(day))
        return date, (date - AUTHORISED).days / MONTH_DAYS

    median = np.median(strength, axis=0)
    peak_day = int(np.argmax(median))
    peak = median[peak_day]
    date, months = when(peak_day)
    p10, p90 = np.percentile(strength[:, peak_day], [10, 90])
    print(f"{path}: {strength.shape[0]} runs, {start} + {days} days; ceiling {ceiling:,} "
          f"billets; authorised {AUTHORISED}")
    d0, m0 = when(0)
    print(f"- at the start ({d0}, {m0:.1f} months after authorisation): median headcount "
          f"{median[0]:,.0f} = {median[0] / ceiling:.1%} of the ceiling")
    print(f"- peak of the median headcount: {peak:,.0f} = {peak / ceiling:.1%} of the ceiling, "
          f"first on {date} (day {peak_day}), {months:.1f} months after authorisation; "
          f"P10-P90 that day {p10:,.0f}-{p90:,.0f} ({p10 / ceiling:.1%}-{p90 / ceiling:.1%})")
    near = int(np.argmax(median >= 0.95 * peak))
    ndate, nmonths = when(near)
    print(f"- the median first reaches 95% of that peak ({0.95 * peak:,.0f}) on {ndate} (day "
          f"{near}), {nmonths:.1f} months after authorisation")
    if peak_day >= days - 1 or median[-1] >= peak:
        print("  (censored: the median is at its peak on the last day, so it peaks later if at "
              "all; extend the horizon, e.g. --set scenario.horizon_days=510)")
    run_peak = strength.max(axis=1)
    run_peak_day = np.argmax(strength, axis=1)
    mdate, mmonths = when(np.median(run_peak_day))
    print(f"- each run's own peak: median {np.median(run_peak):,.0f} = "
          f"{np.median(run_peak) / ceiling:.1%} (P10-P90 {np.percentile(run_peak, 10):,.0f}-"
          f"{np.percentile(run_peak, 90):,.0f}); median date {mdate}, {mmonths:.1f} months after "
          "authorisation")
    k = int((run_peak >= REFERENCE_SHARE * ceiling).sum())
    lo, hi = wilson(k, len(run_peak))
    print(f"- runs whose headcount reaches the UN missions' average peak share "
          f"({REFERENCE_SHARE:.1%} of the ceiling, {REFERENCE_SHARE * ceiling:,.0f}; FACTS §4) "
          f"within the horizon: {k}/{len(run_peak)} = {k / len(run_peak):.3f} [{lo:.3f}, {hi:.3f}]")
    for label, year_after in (("12 months after authorisation", dt.date(2026, 9, 30)),):
        day = (year_after - start).days
        if 0 <= day < days:
            print(f"- {label} ({year_after}): median {median[day]:,.0f} = "
                  f"{median[day] / ceiling:.1%}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    sub.add_parser("funding", help="the funding sweep's table").add_argument("results")
    sub.add_parser("force-generation", help="the path against FACTS §4").add_argument("results")
    args = ap.parse_args(argv)
    {"funding": funding, "force-generation": force_generation}[args.what](args.results)


if __name__ == "__main__":
    main()
