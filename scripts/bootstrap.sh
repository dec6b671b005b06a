#!/usr/bin/env bash
# Set-up on a fresh machine, idempotent and quick when already done: system packages,
# the virtual environment (.venv), and the build of the native core and Python packages.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

apt_packages=(git g++ cmake ninja-build pkg-config libgit2-dev libgtest-dev libxxhash-dev libzstd-dev libssl-dev libcurl4-openssl-dev libsimdjson-dev libdeflate-dev zlib1g-dev)
# The test command adds what only tests need (chromium renders the HTML report).
read -r -a extra_packages <<< "${GITFLEET_EXTRA_APT:-}"
apt_packages+=("${extra_packages[@]}")
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "bootstrap: installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "bootstrap: creating .venv"
  "$python" -m venv .venv
fi
venv_python="$root/.venv/bin/python"

# Python dependencies: installed once, re-checked when pyproject.toml changes.
stamp=.venv/.deps-stamp
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing Python build and test dependencies"
  "$venv_python" -m pip install -q --upgrade pip
  "$venv_python" -m pip install -q "scikit-build-core>=0.10" "nanobind>=2.0" "pydantic>=2.5" \
    "click>=8.1" "rich>=13" "httpx>=0.24" "cryptography>=41" "pyarrow>=14" "duckdb>=2.0" "dask[distributed]>=2024.1" "pandas>=1.5" "pytest>=7" "pytest-asyncio>=0.23" "hypothesis>=6" "psutil>=5" "xxhash>=3"
  touch "$stamp"
fi

# The build: scikit-build-core keeps its CMake tree in build/, so a rebuild is incremental.
echo "bootstrap: building GitFleet"
"$venv_python" -m pip install -q --no-build-isolation --no-deps .
"$venv_python" -c "import GitFleet" || { echo "bootstrap: the build did not produce an importable GitFleet" >&2; exit 1; }
