"""Results identity across a refactor (DESIGN §2): per-dataset SHA-256 hashes of the results
of every shipped scenario and sweep, as written (their own seeds and replications), at -j 1
and -j 2. The hashes of the commit before a change that must not change results are kept in
`hashes.json` beside this file; the test recomputes them with the built `mss`.

    python3 tests/identity/identity.py record   # rewrite hashes.json from the built mss
    python3 tests/identity/identity.py check    # compare (what the test does)

A change that is meant to change results (a new KPI, a new rule) records new hashes in the
same commit and says so in its message."""
import hashlib
import json
import os
import pathlib
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from h5identity import VOLATILE_COLUMNS  # noqa: E402

HASHES = pathlib.Path(__file__).with_name("hashes.json")
CASES = [("run", "scenarios/baseline.toml"), ("run", "scenarios/calm.toml"),
         ("run", "scenarios/closure-2024.toml"), ("run", "scenarios/closure-2024-replay.toml"),
         ("run", "scenarios/surge-gsf.toml"), ("run", "scenarios/gsf-2026.toml"),
         ("sweep", "scenarios/sweeps/fleet-vs-tour.toml"),
         ("sweep", "scenarios/sweeps/closure-risk-lhs.toml"),
         ("sweep", "scenarios/sweeps/closure-2024-cost.toml")]
THREADS = (1, 2)


def mss_bin() -> pathlib.Path:
    return pathlib.Path(os.environ.get("MSS_BIN", ROOT / "build/release/sim/app/mss"))


def _digest(value) -> str:
    a = np.asarray(value)
    if a.dtype.names:
        h = hashlib.sha256()
        for n in a.dtype.names:
            if n not in VOLATILE_COLUMNS:
                h.update(n.encode())
                h.update(_digest(a[n]).encode())
        return h.hexdigest()
    if a.dtype.kind == "O":
        a = np.array([x.decode() if isinstance(x, bytes) else str(x) for x in a.ravel()])
    h = hashlib.sha256(str(a.dtype.str if a.dtype.kind != "U" else "U").encode())
    h.update(str(a.shape).encode())
    h.update(np.ascontiguousarray(a).tobytes() if a.dtype.kind != "U" else
             "\x00".join(a.ravel().tolist()).encode())
    return h.hexdigest()


def file_hashes(path) -> dict:
    """Dataset name -> hash, plus the /scenario attributes."""
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, _digest(obj[()]))
                     if isinstance(obj, h5py.Dataset) and name not in VOLATILE_COLUMNS
                     else None)
        # The root's attributes record the build and the invocation, not results.
        for k in sorted(f["scenario"].attrs):
            out[f"scenario@{k}"] = _digest(f["scenario"].attrs[k])
    return out


def compute(threads) -> dict:
    """Case name -> dataset hashes, for one thread count."""
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for command, path in CASES:
            h5 = pathlib.Path(tmp) / (pathlib.Path(path).stem + f".j{threads}.h5")
            subprocess.run([str(mss_bin()), command, path, "-o", str(h5), "-j", str(threads),
                            "--quiet"], cwd=ROOT, check=True, capture_output=True)
            out[path] = file_hashes(h5)
    return out


def main() -> int:
    what = sys.argv[1] if len(sys.argv) > 1 else "check"
    if what == "record":
        got = compute(1)
        HASHES.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
        print(f"recorded {sum(map(len, got.values()))} hashes of {len(got)} cases")
        return 0
    want = json.loads(HASHES.read_text())
    bad = 0
    for threads in THREADS:
        got = compute(threads)
        for case in want:
            for name in sorted(set(want[case]) | set(got.get(case, {}))):
                if want[case].get(name) != got.get(case, {}).get(name):
                    print(f"-j {threads} {case}: {name} differs")
                    bad += 1
    print("identical" if bad == 0 else f"{bad} datasets differ")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
