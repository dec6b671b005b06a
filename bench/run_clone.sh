#!/usr/bin/env bash
# One command for the fleet-cloning benchmark: set-up, the anchors, the run.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/bootstrap.sh >/dev/null
bash bench/setup_anchors.sh
exec .venv/bin/python bench/clone_bench.py "$@"
