#!/usr/bin/env bash
# The whole test suite on a fresh machine: set-up (scripts/bootstrap.sh), the C++ unit tests
# (GoogleTest via ctest) and the Python tests (pytest). Extra arguments go to pytest.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
GITFLEET_EXTRA_APT="chromium" bash scripts/bootstrap.sh

echo "== C++ unit tests (ctest)"
cmake -S . -B build/core-tests -G Ninja -DCMAKE_BUILD_TYPE=Release -DGITFLEET_BUILD_TESTS=ON >/dev/null
cmake --build build/core-tests
ctest --test-dir build/core-tests --output-on-failure

echo "== Python tests (pytest)"
.venv/bin/python -m pytest -q "$@"
