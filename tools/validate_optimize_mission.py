#!/usr/bin/python3
"""The mission validation of `mss optimize` (docs/optimize.md "Validation: a mission problem").

    /usr/bin/python3 tools/validate_optimize_mission.py [--mss BIN] [-M 100] [--jobs 2]
    /usr/bin/python3 tools/validate_optimize_mission.py --short        # CI (ctest)

Method:

1. **The problem** is a plan file (default tests/optimize/mission_plan.toml): alternatives,
   an objective with its indifference zone delta, constraints with their tolerances epsilon,
   1 - alpha (`optimize.confidence`).
2. **The truth.** A sweep file equivalent to the plan (the same base and the variables as grid
   factors, so design point i is alternative i; seed --truth-seed, different from every
   macro-replication's seed) is written beside the truth file and run with `mss sweep`, 10,000
   replications per alternative (`--truth-replications`). The file is kept in runs/ and reused
   when its sweep identity (`mss validate`), run count and status say it is the same sweep
   complete. From it: each alternative's mean objective (95% Student t interval), each
   probability constraint's probability (95% Clopper-Pearson interval; a KPI never reached,
   NaN, counts as the event failing, as in `mss optimize`) or mean constraint's mean (95% t),
   the truly feasible alternatives and the best of them.
3. **The boundary check.** The guarantee of `mss optimize` holds when no constrained mean lies
   within epsilon of its threshold and the best feasible alternative leads every other feasible
   one by at least delta. The validation is used only when, intervals included, every
   constrained mean is more than epsilon from its threshold and every other alternative's mean
   objective is more than delta from the best feasible one's (the paired differences under the
   sweep's common random numbers, 95% t interval): a feasible one more than delta worse, an
   infeasible one more than delta either way (stricter than the guarantee needs, which says
   nothing about infeasible alternatives' objectives). Otherwise it says why and exits 2.
4. **Macro-replications.** M runs of `mss optimize PLAN --set optimize.seed=S -o TMP --force
   --quiet -j J`, S = 1..M; the choice, the runs used and Rinott's runs are read from the
   results file's /optimize attributes. A selection is correct when the procedure chose the
   true best feasible alternative.
5. **The test.** A one-sided exact binomial test (scipy.stats.binomtest, alternative="less")
   of H0: P(correct selection) >= 1 - alpha at level 0.01, the level of the M/M/c program
   (tests/optimize/validate_optimize.cpp). Printed: PCS with its 95% Clopper-Pearson interval,
   the p-value and the rejection bound, mean runs used against mean Rinott runs and their
   ratio, wall times. Exit 0 when H0 is not rejected, 1 when it is, 2 when the boundary check
   refuses, 3 when something could not be run or read.

`--short` (ctest `validate_optimize_mission_short`): M = 10 and each choice must be the true
answer or an alternative feasible by the truth whose mean is within delta of the answer's
(after the boundary check there is none such). It uses the cached 10,000-replication truth when
there, else a 2,000-replication truth in a temporary directory. Ten fixed seeds make it a
deterministic regression check of the whole chain (plan file, `mss optimize`, /optimize, the
truth): it catches a procedure or a program that is plainly wrong on this problem, not a PCS a
little below 1 - alpha (the binomial test at 0.01 rejects only at 6 or fewer correct of 10).
Exit 1 when any choice is wrong.
"""
import argparse
import math
import os
import re
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import h5py
import numpy as np
from scipy import stats

REPO = Path(__file__).resolve().parent.parent
DEFAULT_PLAN = REPO / "tests" / "optimize" / "mission_plan.toml"
LEVEL = 0.01  # as tests/optimize/validate_optimize.cpp (Options::level)
CI = 0.95  # the truth's intervals
TRUTH_SEED = 990001  # never one of the macro-replications' seeds 1..M
EXIT_PASS, EXIT_REJECT, EXIT_REFUSE, EXIT_ERROR = 0, 1, 2, 3


class Failure(Exception):
    """Something could not be run or read (exit 3)."""


# ---------------------------------------------------------------- the plan


def toml_value(v):
    """v as TOML text (inline tables and arrays on one line)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        items = []
        for k, x in v.items():
            key = k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else toml_value(k)
            items.append(f"{key} = {toml_value(x)}")
        return "{ " + ", ".join(items) + " }"
    if hasattr(v, "isoformat"):
        return v.isoformat()
    raise Failure(f"cannot write {v!r} as TOML")


class Plan:
    """What the validation needs of a plan file: alternatives, objective, constraints."""

    def __init__(self, path):
        self.path = Path(path).resolve()
        with open(self.path, "rb") as f:
            d = tomllib.load(f)
        o = d["optimize"]
        self.name = o.get("name", self.path.stem)
        self.base = (self.path.parent / o["base"]).resolve()
        self.confidence = float(o.get("confidence", 0.95))
        self.variables = []  # (key, [values])
        for v in d.get("variable", []):
            if "values" in v:
                values = list(v["values"])
            else:
                low, high = v["range"]
                values = list(range(low, high + 1, v.get("step", 1)))
            self.variables.append((v["key"], values))
        self.shape = tuple(len(vals) for _, vals in self.variables)
        self.k = int(np.prod(self.shape))
        ob = d["objective"]
        self.kpi = ob["kpi"]
        self.maximise = ob["goal"] in ("maximise", "maximize")
        self.delta = float(ob["delta"])
        self.constraints = []
        for c in d.get("constraint", []):
            if "at_most" in c or "at_least" in c:
                le = "at_most" in c
                self.constraints.append(dict(
                    kind="probability", kpi=c["kpi"], le=le,
                    x=float(c["at_most" if le else "at_least"]), p=float(c["probability"]),
                    eps=float(c["epsilon"])))
            else:
                le = "mean_at_most" in c
                self.constraints.append(dict(
                    kind="mean", kpi=c["kpi"], le=le,
                    x=float(c["mean_at_most" if le else "mean_at_least"]),
                    eps=float(c["epsilon"])))

    def label(self, i):
        idx = np.unravel_index(i, self.shape)
        parts = []
        for (key, values), j in zip(self.variables, idx):
            v = values[j]
            short = key.rsplit(".", 1)[-1]
            parts.append(f"{short}={v['mean'] if isinstance(v, dict) and 'mean' in v else v}")
        return ", ".join(parts)

    def describe(self, c):
        if c["kind"] == "probability":
            return f"P({c['kpi']} {'<=' if c['le'] else '>='} {c['x']:g}) >= {c['p']:g}"
        return f"mean {c['kpi']} {'<=' if c['le'] else '>='} {c['x']:g}"

    def sweep_text(self, sweep_dir, seed, replications):
        base = os.path.relpath(self.base, sweep_dir)
        lines = [
            "# Written by tools/validate_optimize_mission.py: the truth of the mission validation,",
            f"# the alternatives of {os.path.relpath(self.path, REPO)} as a grid sweep (design point i is",
            "# alternative i).",
            "",
            "[sweep]",
            f"name = {toml_value(self.name + '-truth')}",
            f"description = {toml_value('truth of ' + self.name + ' for the mission validation of mss optimize')}",
            f"base = {toml_value(base)}",
            f"seed = {seed}",
            f"replications = {replications}",
            'design = "grid"',
        ]
        for key, values in self.variables:
            lines += ["", "[[factor]]", f"key = {toml_value(key)}",
                      f"values = {toml_value(values)}"]
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- running mss


def run(cmd, what):
    try:
        r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True)
    except OSError as e:
        raise Failure(f"{what}: cannot run {cmd[0]}: {e}") from e
    if r.returncode != 0:
        raise Failure(f"{what} failed (exit {r.returncode}): {' '.join(map(str, cmd))}\n"
                      f"{r.stderr.strip()}")
    return r.stdout


def sweep_identity(mss, sweep_file):
    out = run([mss, "validate", sweep_file], "mss validate")
    m = re.search(r"\(identity ([0-9a-f]{16})\)", out)
    if not m:
        raise Failure(f"mss validate {sweep_file} printed no identity:\n{out}")
    return m.group(1)


def cached_ok(h5, identity, runs):
    """Why the file at h5 is not the complete sweep `identity` of `runs` runs, or None."""
    if not h5.exists():
        return "no file"
    if Path(str(h5) + ".journal").exists():
        return "a journal beside it (incomplete)"
    try:
        with h5py.File(h5, "r") as f:
            got = f["/scenario"].attrs.get("sweep_hash")
            got = got.decode() if isinstance(got, bytes) else got
            if got != identity:
                return f"identity {got}, not {identity}"
            if f["run"].shape[0] != runs:
                return f"{f['run'].shape[0]} runs, not {runs}"
            if np.any(f["status"][()] != 0):
                return "failed runs in it"
    except (OSError, KeyError) as e:
        return f"unreadable ({e})"
    return None


def truth_file(plan, mss, out_dir, seed, replications, jobs):
    """Runs (or reuses) the truth sweep in out_dir; returns the results file's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{plan.name}-truth" + ("" if replications == 10000 else f"-{replications}")
    sweep = out_dir / f"{stem}.toml"
    h5 = out_dir / f"{stem}.h5"
    text = plan.sweep_text(out_dir, seed, replications)
    if not sweep.exists() or sweep.read_text() != text:
        sweep.write_text(text)
    identity = sweep_identity(mss, sweep)
    runs = plan.k * replications
    why = cached_ok(h5, identity, runs)
    if why is None:
        print(f"truth: {h5} (cached, sweep identity {identity}, {runs:,} runs)")
        return h5
    print(f"truth: running {sweep} ({plan.k} alternatives x {replications:,} replications, "
          f"seed {seed}, -j {jobs}) to {h5} [{why}]", flush=True)
    t0 = time.monotonic()
    run([mss, "sweep", sweep, "-o", h5, "--force", "--quiet", "-j", jobs], "mss sweep")
    print(f"truth: {runs:,} runs in {time.monotonic() - t0:.1f} s")
    why = cached_ok(h5, identity, runs)
    if why is not None:
        raise Failure(f"{h5} after mss sweep: {why}")
    return h5


# ---------------------------------------------------------------- the truth


def t_interval(x):
    n = len(x)
    m = float(np.mean(x))
    half = stats.t.ppf(0.5 + CI / 2, n - 1) * float(np.std(x, ddof=1)) / math.sqrt(n)
    return m, m - half, m + half


class Truth:
    """Means, intervals, feasibility and the answer from the truth sweep's runs."""

    def __init__(self, plan, h5):
        self.plan = plan
        with h5py.File(h5, "r") as f:
            point = f["point"][()]
            rep = f["replication"][()]
            self.replications = int(np.sum(point == 0))
            # Design point i must be alternative i: the factor levels as the plan's grid.
            idx = np.array(np.unravel_index(np.arange(plan.k), plan.shape))
            for j, (key, values) in enumerate(plan.variables):
                stored = f[key][()]
                numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool)
                              for v in values)
                want = [values[i] if numeric else i for i in idx[j]]
                if len(stored) != plan.k or not np.allclose(stored, want):
                    raise Failure(f"{h5}: factor {key} is not the plan's grid")
            order = np.lexsort((rep, point))
            point, rep = point[order], rep[order]
            r = self.replications
            if not np.array_equal(point, np.repeat(np.arange(plan.k), r)) or \
                    not np.array_equal(rep, np.tile(np.arange(r), plan.k)):
                raise Failure(f"{h5}: not {plan.k} points x {r} replications")
            # [alternative, replication]: replication r shares its random numbers across
            # alternatives (the sweep's common random numbers), so columns pair.
            self.obj = f[plan.kpi][()][order].reshape(plan.k, r)
            self.con = [f[c["kpi"]][()][order].reshape(plan.k, r) for c in plan.constraints]
        if not np.all(np.isfinite(self.obj)):
            raise Failure(f"{h5}: {plan.kpi} has non-finite values")
        self.mean = [t_interval(self.obj[i]) for i in range(plan.k)]
        self.cmean = []  # per constraint, per alternative: (estimate, low, high)
        self.feasible = np.ones(plan.k, dtype=bool)
        for c, y in zip(plan.constraints, self.con):
            rows = []
            for i in range(plan.k):
                if c["kind"] == "probability":
                    with np.errstate(invalid="ignore"):
                        event = (y[i] <= c["x"]) if c["le"] else (y[i] >= c["x"])
                    hits = int(np.sum(event))  # NaN compares False: never reached fails
                    ci = stats.binomtest(hits, r).proportion_ci(CI, method="exact")
                    rows.append((hits / r, ci.low, ci.high))
                    self.feasible[i] &= hits / r >= c["p"]
                else:
                    m = t_interval(y[i])
                    rows.append(m)
                    self.feasible[i] &= (m[0] <= c["x"]) if c["le"] else (m[0] >= c["x"])
            self.cmean.append(rows)
        sign = -1.0 if plan.maximise else 1.0
        feas = np.flatnonzero(self.feasible)
        self.best = None
        if len(feas):
            self.best = int(feas[np.argmin([sign * self.mean[i][0] for i in feas])])
            # worse-than-best, positive when worse: paired differences under CRN
            self.diff = [t_interval(sign * (self.obj[i] - self.obj[self.best]))
                         for i in range(plan.k)]

    def acceptable(self):
        """The choices counted correct by --short: the answer, or a truly feasible alternative
        whose mean is within delta of it."""
        ok = {self.best}
        for i in range(self.plan.k):
            if self.feasible[i] and abs(self.diff[i][0]) <= self.plan.delta:
                ok.add(i)
        return ok

    def boundary_problems(self):
        """Why the validation cannot be used on this truth (empty when it can)."""
        plan, bad = self.plan, []
        if self.best is None:
            return ["no alternative is feasible by the truth: the validation needs an answer"]
        for c, rows in zip(plan.constraints, self.cmean):
            thr = c["p"] if c["kind"] == "probability" else c["x"]
            for i, (m, lo, hi) in enumerate(rows):
                if not (lo > thr + c["eps"] or hi < thr - c["eps"]):
                    bad.append(f"alternative {i}: {plan.describe(c)} has [{lo:.4g}, {hi:.4g}], "
                               f"not clear of {thr:g} +- epsilon {c['eps']:g}")
        for i in range(plan.k):
            if i == self.best:
                continue
            m, lo, hi = self.diff[i]
            if self.feasible[i] and not lo > plan.delta:
                bad.append(f"alternative {i} (feasible): worse than the answer {self.best} by "
                           f"{m:,.0f} [{lo:,.0f}, {hi:,.0f}], not by more than delta "
                           f"{plan.delta:,.0f}")
            elif not self.feasible[i] and not (lo > plan.delta or hi < -plan.delta):
                bad.append(f"alternative {i} (infeasible): {m:,.0f} [{lo:,.0f}, {hi:,.0f}] from "
                           f"the answer {self.best}, within delta {plan.delta:,.0f}")
        return bad

    def print_table(self):
        plan = self.plan
        print(f"\nThe truth ({self.replications:,} replications per alternative; "
              f"{CI:.0%} intervals: Student t for means and paired differences, "
              f"Clopper-Pearson for probabilities)")
        head = ["alt", "alternative", f"mean {plan.kpi}", "vs the answer (paired)"]
        head += [plan.describe(c) for c in plan.constraints] + ["feasible"]
        print(" | ".join(head))
        for i in range(plan.k):
            m, lo, hi = self.mean[i]
            d = self.diff[i] if self.best is not None else (math.nan,) * 3
            row = [str(i), plan.label(i), f"{m:,.0f} [{lo:,.0f}, {hi:,.0f}]",
                   "answer" if i == self.best else f"{d[0]:+,.0f} [{d[1]:+,.0f}, {d[2]:+,.0f}]"]
            row += [f"{r[i][0]:.4f} [{r[i][1]:.4f}, {r[i][2]:.4f}]" for r in self.cmean]
            row.append("yes" if self.feasible[i] else "no")
            print(" | ".join(row))
        if self.best is not None:
            print(f"answer: alternative {self.best} ({plan.label(self.best)}), "
                  f"delta {plan.delta:,.0f}, "
                  + ", ".join(f"epsilon {c['eps']:g}" for c in plan.constraints))


# ---------------------------------------------------------------- macro-replications


def macro_replication(mss, plan, seed, out, jobs):
    t0 = time.monotonic()
    run([mss, "optimize", plan.path, "--set", f"optimize.seed={seed}", "-o", out, "--force",
         "--quiet", "-j", jobs], f"mss optimize (seed {seed})")
    wall = time.monotonic() - t0
    with h5py.File(out, "r") as f:
        a = f["/optimize"].attrs
        status = a["status"].decode() if isinstance(a["status"], bytes) else str(a["status"])
        fate = [x.decode() if isinstance(x, bytes) else str(x) for x in f["/optimize/fate"][()]]
        return dict(fate=fate, seed=seed, chosen=int(a["chosen"]) if status == "chosen" else None,
                    status=status, runs=int(a["runs"]), stages=int(a["stages"]),
                    rinott=int(a["rinott_runs"]), wall=wall)


def rejection_bound(m, p):
    """The largest number correct of m that the test rejects at LEVEL (-1: none)."""
    x = -1
    while x + 1 <= m and stats.binom.cdf(x + 1, m, p) < LEVEL:
        x += 1
    return x


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mss", help="the mss binary (default $MSS_BIN, else "
                    "build/release/sim/app/mss)")
    ap.add_argument("--plan", default=DEFAULT_PLAN, type=Path, help="the plan file")
    ap.add_argument("-M", "--macro", type=int, help="macro-replications (default 100; "
                    "--short: 10)")
    ap.add_argument("--short", action="store_true", help="CI version: 10 macro-replications, "
                    "every choice must be right; the cached truth or a 2,000-replication one")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="threads of every mss (default 2)")
    ap.add_argument("--runs-dir", type=Path, default=REPO / "runs",
                    help="where the truth sweep and its results are kept (default runs/)")
    ap.add_argument("--truth-replications", type=int, default=10000,
                    help="replications per alternative of the truth (default 10,000)")
    ap.add_argument("--truth-seed", type=int, default=TRUTH_SEED,
                    help=f"seed of the truth sweep (default {TRUTH_SEED})")
    args = ap.parse_args(argv)
    mss = args.mss or os.environ.get("MSS_BIN") or REPO / "build/release/sim/app/mss"
    m = args.macro if args.macro is not None else (10 if args.short else 100)
    if m < 1 or args.jobs < 1:
        ap.error("-M and --jobs must be at least 1")
    if 1 <= args.truth_seed <= m:
        ap.error(f"--truth-seed {args.truth_seed} is one of the macro-replications' seeds 1..{m}")
    t_start = time.monotonic()
    try:
        plan = Plan(args.plan)
        print(f"mission validation of mss optimize: {args.plan} ({plan.k} alternatives), "
              f"{'short, ' if args.short else ''}{m} macro-replications, -j {args.jobs}, "
              f"{mss}")
        with tempfile.TemporaryDirectory(prefix="mss-optmis-") as tmp:
            tmp = Path(tmp)
            full = args.runs_dir / f"{plan.name}-truth.h5"
            if args.short and args.truth_replications == 10000:
                identity = None
                sweep = args.runs_dir / f"{plan.name}-truth.toml"
                if sweep.exists() and sweep.read_text() == plan.sweep_text(
                        args.runs_dir, args.truth_seed, 10000):
                    identity = sweep_identity(mss, sweep)
                if identity and cached_ok(full, identity, plan.k * 10000) is None:
                    h5 = truth_file(plan, mss, args.runs_dir, args.truth_seed, 10000, args.jobs)
                else:
                    h5 = truth_file(plan, mss, tmp, args.truth_seed, 2000, args.jobs)
            else:
                h5 = truth_file(plan, mss, args.runs_dir, args.truth_seed,
                                args.truth_replications, args.jobs)
            truth = Truth(plan, h5)
            truth.print_table()
            bad = truth.boundary_problems()
            if bad:
                print("\nREFUSED: the truth is too close to a boundary for the validation to "
                      "mean anything:")
                for b in bad:
                    print("  " + b)
                return EXIT_REFUSE
            print("boundary check: every constrained mean is more than epsilon from its "
                  "threshold and every other alternative more than delta from the answer, "
                  f"{CI:.0%} intervals included")
            ok = truth.acceptable()
            print(f"\n{m} macro-replications: mss optimize --set optimize.seed=S, S = 1..{m}",
                  flush=True)
            results = []
            t0 = time.monotonic()
            for seed in range(1, m + 1):
                r = macro_replication(mss, plan, seed, tmp / "macro.h5", args.jobs)
                r["correct"] = r["chosen"] == truth.best
                r["acceptable"] = r["chosen"] in ok
                results.append(r)
                what = f"chose {r['chosen']}" if r["chosen"] is not None else r["status"]
                print(f"  seed {seed:4d}: {what:<10} {'right' if r['correct'] else 'WRONG':<5} "
                      f"{r['runs']:6,} runs in {r['stages']:3d} stages (Rinott {r['rinott']:,}) "
                      f"{r['wall']:5.1f} s", flush=True)
            macro_wall = time.monotonic() - t0
    except Failure as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_ERROR

    correct = sum(r["correct"] for r in results)
    runs = np.mean([r["runs"] for r in results])
    rinott = np.mean([r["rinott"] for r in results])
    p0 = plan.confidence
    test = stats.binomtest(correct, m, p0, alternative="less")
    cp = stats.binomtest(correct, m).proportion_ci(0.95, method="exact")
    bound = rejection_bound(m, p0)
    rejected = test.pvalue < LEVEL
    print(f"\ncorrect selections: {correct} of {m}, PCS {correct / m:.4f} "
          f"[{cp.low:.4f}, {cp.high:.4f}] (95% Clopper-Pearson)")
    wrong = [(r["seed"], r["chosen"] if r["chosen"] is not None else r["status"])
             for r in results if not r["correct"]]
    if wrong:
        print("wrong: " + ", ".join(f"seed {s} chose {c}" for s, c in wrong))
    print(f"one-sided exact binomial test of H0: PCS >= {p0:g} at level {LEVEL:g}: "
          f"P(X <= {correct} | n = {m}, p = {p0:g}) = {test.pvalue:.4g}; rejects at "
          f"<= {bound} correct: {'REJECTED' if rejected else 'not rejected'}")
    print("fates over the macro-replications (/optimize/fate):")
    for i in range(plan.k):
        tally = {}
        for r in results:
            tally[r["fate"][i]] = tally.get(r["fate"][i], 0) + 1
        print(f"  alternative {i}{' (the answer)' if i == truth.best else ''}: "
              + ", ".join(f"{n} {k}" for k, n in sorted(tally.items(), key=lambda t: -t[1])))
    print(f"runs per macro-replication: mean {runs:,.1f} (min {min(r['runs'] for r in results):,},"
          f" max {max(r['runs'] for r in results):,}); Rinott's two-stage procedure on the same "
          f"first stages: mean {rinott:,.0f} ({rinott / runs:,.1f}x as many)")
    print(f"wall: macro-replications {macro_wall:.1f} s ({macro_wall / m:.2f} s each), "
          f"in all {time.monotonic() - t_start:.1f} s")
    if args.short:
        bad = [r for r in results if not r["acceptable"]]
        if bad:
            print(f"SHORT CHECK FAILED: {len(bad)} of {m} choices are neither the answer "
                  f"{truth.best} nor a feasible alternative within delta of it")
            return EXIT_REJECT
        print(f"short check passed: all {m} choices are the answer or within delta of it")
        return EXIT_PASS
    return EXIT_REJECT if rejected else EXIT_PASS


if __name__ == "__main__":
    sys.exit(main())
