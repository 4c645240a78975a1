"""tools/make_docs_img.sh, with a stand-in for the simulator that writes a synthetic file
(the script's own logic: the command it runs, the plot, the size budget)."""

import os
import subprocess
import sys

import matplotlib.image as mpimg

from analysis.tests.conftest import REPO, assert_png_not_blank

FAKE = """#!/bin/bash
printf '%s\\n' "$@" > "{log}"
out=""
while [ $# -gt 0 ]; do case "$1" in -o) out="$2"; shift;; esac; shift; done
exec "{python}" -c "import sys; sys.path.insert(0, '{repo}'); \\
from analysis.tests import synthetic; \
synthetic.write(sys.argv[1], replications=20, days=365)" "$out"
"""


def test_make_docs_img_runs_the_baseline_and_writes_a_small_png(tmp_path):
    fake = tmp_path / "mss"
    log = tmp_path / "args.txt"
    fake.write_text(FAKE.format(log=log, python=sys.executable, repo=REPO))
    fake.chmod(0o755)
    runs, img = tmp_path / "runs" / "docs-img.h5", tmp_path / "img" / "strength.png"
    env = dict(os.environ, MSS_BIN=str(fake), PYTHON=sys.executable, RUNS_FILE=str(runs),
               DOCS_IMG=str(img))
    p = subprocess.run([str(REPO / "tools" / "make_docs_img.sh")], env=env, cwd=tmp_path,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr
    assert log.read_text().split("\n")[:7] == ["run", "scenarios/baseline.toml", "-r", "20",
                                               "-o", str(runs), "--force"]
    assert_png_not_blank(img)
    assert img.stat().st_size < 150_000
    assert mpimg.imread(img).shape[:2] == (440, 1000)


def test_make_docs_img_exits_2_without_the_simulator(tmp_path):
    env = dict(os.environ, MSS_BIN=str(tmp_path / "no-mss"), DOCS_IMG=str(tmp_path / "x.png"),
               RUNS_FILE=str(tmp_path / "x.h5"))
    p = subprocess.run([str(REPO / "tools" / "make_docs_img.sh")], env=env,
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "make build" in p.stderr
    assert not (tmp_path / "x.png").exists()
