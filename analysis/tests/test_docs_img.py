"""tools/make_docs_img.sh, with a stand-in for the simulator that writes synthetic files (the
script's own logic: the commands it runs, the reports, the screenshots taken by headless
chromium, the size budget)."""

import os
import subprocess
import sys

import pytest

from analysis.tests.conftest import REPO, assert_png_not_blank

FAKE = """#!/bin/bash
printf '%s\\n' "$*" >> "{log}"
out=""
while [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift;; esac; shift; done
case "$(tail -n 1 "{log}")" in
  sweep*lhs*) kind=lhs;;
  sweep*) kind=grid;;
  *) kind=plain;;
esac
exec "{python}" -c "import sys; sys.path.insert(0, '{repo}'); \\
from analysis.tests import synthetic; \\
f = dict(factors={{'aircraft.B787-charter.count': [1, 2], 'contingent.Kenya.tour_days': [180, 365]}}, \\
         design=sys.argv[2]) if sys.argv[2] != 'plain' else {{}}; \\
synthetic.write(sys.argv[1], replications=6, days=120, **f)" "$out" "$kind"
"""

IMAGES = ["filled", "reach", "closures", "grid", "effects", "compare"]


@pytest.mark.browser
def test_make_docs_img_runs_the_scenarios_and_writes_small_screenshots(tmp_path):
    fake = tmp_path / "mss"
    log = tmp_path / "args.txt"
    fake.write_text(FAKE.format(log=log, python=sys.executable, repo=REPO))
    fake.chmod(0o755)
    runs, img = tmp_path / "runs", tmp_path / "img"
    env = dict(os.environ, MSS_BIN=str(fake), PYTHON=sys.executable, RUNS_DIR=str(runs),
               DOCS_IMG_DIR=str(img), REPS="6")
    p = subprocess.run([str(REPO / "tools" / "make_docs_img.sh")], env=env, cwd=tmp_path,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    calls = log.read_text().splitlines()
    assert calls[0] == f"run scenarios/baseline.toml -r 6 -o {runs}/baseline.h5 --force --quiet"
    assert any(c.startswith("sweep scenarios/sweeps/closure-risk-lhs.toml") for c in calls)
    assert sorted(q.name for q in img.iterdir()) == sorted(f"report-{n}.png" for n in IMAGES)
    for n in IMAGES:
        png = img / f"report-{n}.png"
        assert_png_not_blank(png)
        assert png.stat().st_size < 150_000
    assert "wrote 6 images" in p.stdout


def test_make_docs_img_exits_2_without_the_simulator(tmp_path):
    env = dict(os.environ, MSS_BIN=str(tmp_path / "no-mss"), DOCS_IMG_DIR=str(tmp_path / "img"),
               RUNS_DIR=str(tmp_path / "runs"))
    p = subprocess.run([str(REPO / "tools" / "make_docs_img.sh")], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "make build" in p.stderr
    assert not (tmp_path / "img").exists()
