"""The package installs on its own: `pip install --no-deps --no-build-isolation` of a copy
of analysis/ into a venv made with --system-site-packages (Debian's python3-* packages are
its dependencies; pip has no index here and must not try one), then `python -m analysis`
from another directory runs the installed copy, templates included."""

import os
import shutil
import subprocess
import sys

from analysis.tests.conftest import REPO


def test_pip_installs_the_package_into_a_venv(syn_plain, tmp_path):
    src = tmp_path / "src"
    shutil.copytree(REPO / "analysis", src,
                    ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, timeout=300)
    py = venv / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_INDEX_URL")}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    p = subprocess.run([str(py), "-m", "pip", "install", "--no-deps", "--no-build-isolation",
                        "--no-index", str(src)], env=env, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stdout + p.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    p = subprocess.run([str(py), "-m", "analysis", "--help"], cwd=elsewhere, env=env,
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and p.stdout.startswith("usage: python3 -m analysis"), p.stderr
    p = subprocess.run([str(py), "-c", "import analysis; print(analysis.__file__)"],
                       cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert str(venv) in p.stdout, p.stdout   # the installed copy, not the repository's
    out = elsewhere / "r"
    p = subprocess.run([str(venv / "bin" / "mss-analysis"), "report", str(syn_plain), "-o",
                        str(out)], cwd=elsewhere, env=env, capture_output=True, text=True,
                       timeout=300)
    assert p.returncode == 0, p.stderr
    assert (out / "report.html").stat().st_size > 8_000_000   # plotly.js inside
