#!/usr/bin/env python3
"""Checks that the day loop's look-ahead is in the optimised code (docs/model.md, "Known limits").

`Mission::run_day` asks the cache for the person record and the billet of actions some places
ahead. A prefetch has no effect the compiler can see, so a function that only prefetches is
taken for one without effects and its calls are deleted: g++ 12 -O2 did so, silently, and the
record request never ran for several commits. Results cannot show it, and a timed test would
be noise on a shared machine, so this reads the machine code instead: every prefetch
instruction within the functions of `Mission::run_day` (its `.part` and `.cold` clones
included) is counted, and at least two (the record, the billet) are required.

Usage: prefetch_compiled.py LIBRARY  (the mss_model archive). Exit 77 (skipped) off x86-64 or
without objdump; 1 with the count when the look-ahead is missing.
"""
import platform
import re
import shutil
import subprocess
import sys

RUN_DAY = "_ZN3mss5model7Mission7run_dayEv"  # mss::model::Mission::run_day()
WANTED = 2


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: prefetch_compiled.py LIBRARY", file=sys.stderr)
        return 2
    if platform.machine() not in ("x86_64", "AMD64") or shutil.which("objdump") is None:
        print("skipped: needs x86-64 and objdump")
        return 77
    code = subprocess.run(["objdump", "-d", "--no-show-raw-insn", sys.argv[1]],
                          check=True, capture_output=True, text=True).stdout
    counts = {}
    function = None
    for line in code.splitlines():
        header = re.match(r"^[0-9a-f]+ <([^>]+)>:$", line)
        if header:
            function = header.group(1)
            continue
        if function and function.startswith(RUN_DAY) and re.search(r"\tprefetch", line):
            counts[function] = counts.get(function, 0) + 1
    if not any(name.startswith(RUN_DAY) for name in re.findall(r"<([^>]+)>:", code)):
        print(f"no {RUN_DAY} in {sys.argv[1]}", file=sys.stderr)
        return 1
    total = sum(counts.values())
    print(f"prefetch instructions in Mission::run_day: {total} {counts}")
    if total < WANTED:
        print(f"expected at least {WANTED}: the look-ahead was compiled away", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
