"""The final rename never replaces a file that appeared after the command started unless
--force was given (issue 24 item 7): two `mss run -o same.h5` at once must not both report
"wrote same.h5". A file is made under the output's name while `mss run` or `mss sweep`
simulates; the command then exits 1 naming it, and the file is untouched. Started from the
source root with $MSS_BIN."""
import os
import pathlib
import subprocess
import time

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
MSS = os.environ.get("MSS_BIN", str(ROOT / "build/release/sim/app/mss"))
HEAVY = ROOT / "tests/app/heavy_run.toml"
SMALL_SWEEP = ROOT / "tests/cluster/small_sweep.toml"

COMMANDS = {
    # 2 to 4 s of simulation each
    "run": ["run", HEAVY, "--set", "scenario.horizon_days=40", "-r", 1, "-q", "-o", "out.h5"],
    "sweep": ["sweep", SMALL_SWEEP, "--set", "sweep.replications=600", "-j", 1, "-q", "-o",
              "out.h5"],
}


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_file_that_appeared_meanwhile_is_not_replaced(tmp_path, command, force):
    args = COMMANDS[command] + (["--force"] if force else [])
    p = subprocess.Popen([MSS, *map(str, args)], cwd=tmp_path, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    time.sleep(0.5)
    out = tmp_path / "out.h5"
    out.write_text("someone else's\n")
    _, err = p.communicate(timeout=300)
    if force:
        assert p.returncode == 0, err
        assert out.read_bytes()[:4] == b"\x89HDF"
        return
    assert p.returncode == 1, err
    assert "appeared while" in err and "--force" in err, err
    assert out.read_text() == "someone else's\n"
    left = sorted(os.listdir(tmp_path))
    assert left == (["out.h5"] if command == "run" else ["out.h5", "out.h5.journal"]), left
