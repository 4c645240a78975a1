#!/usr/bin/env bash
# Installs the Debian packages mss-sim needs to build, test, benchmark and analyse.
# Idempotent: installs only what is missing. Uses sudo when not root. Waits for a
# concurrently running apt instead of failing (lock timeout).
#
#   tools/install-deps.sh            # everything (build, tests, MPI, analysis, fuzzing)
#   tools/install-deps.sh --minimal  # only what the minimal build needs (docs/install.md)
#   tools/install-deps.sh --check    # list what is missing, install nothing (exit 1 if any)
#   (--minimal --check: the same for the minimal set)
set -euo pipefail

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  # libraries (DESIGN §1; TOOLCHAIN §1)
  libboost-random-dev libboost-math-dev libeigen3-dev libcli11-dev libhdf5-dev libisal-dev
  libtomlplusplus-dev catch2 libbenchmark-dev
  # MPI (cluster runs), and a single-node Slurm for `make test-slurm`
  libopenmpi-dev openmpi-bin slurm-wlm munge
  # results tools and the Python analysis stack (system interpreter, no pip)
  hdf5-tools python3 python3-h5py python3-numpy python3-pandas python3-matplotlib
  python3-scipy python3-statsmodels python3-xarray python3-h5netcdf python3-pytest
  # the HTML report (analysis report): templates, plotly.js to embed, tables, venv install test
  python3-jinja2 python3-plotly python3-tabulate python3-venv python3-pip
  # the report tested in a real headless browser
  chromium chromium-driver python3-selenium
  # sanitizers, fuzzing, formatting
  clang libclang-rt-14-dev clang-format
)

# The minimal build: -DMSS_BUILD_TESTS=OFF -DMSS_BUILD_BENCH=OFF -DMSS_WITH_MPI=OFF
# -DMSS_WITH_ISAL=OFF (zlib deflates; zlib1g-dev also comes with libhdf5-dev).
minimal=(
  build-essential cmake ninja-build pkg-config
  libboost-random-dev libboost-math-dev libeigen3-dev libcli11-dev libhdf5-dev zlib1g-dev
  libtomlplusplus-dev
)

check_only=0
for arg in "$@"; do
  case $arg in
    --check) check_only=1 ;;
    --minimal) packages=("${minimal[@]}") ;;
    *) echo "install-deps: unknown option '$arg' (expected --check, --minimal)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: missing ${#missing[@]} package(s): ${missing[*]}"
[ $check_only = 1 ] && exit 1

SUDO=""
if [ "$(id -u)" != 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: not root and no sudo; install the packages above by hand" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
apt_opts=(-y --no-install-recommends -o DPkg::Lock::Timeout=600)
$SUDO apt-get -o DPkg::Lock::Timeout=600 update
$SUDO apt-get install "${apt_opts[@]}" "${missing[@]}"
echo "install-deps: done"
