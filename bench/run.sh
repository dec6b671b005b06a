#!/usr/bin/env bash
# One command for the history benchmark: set-up, the anchors' environments, the run.
#   bash bench/run.sh                 # a generated 5,000-commit history
#   bash bench/run.sh --repo PATH     # any repository on disk
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/bootstrap.sh >/dev/null
bash bench/setup_anchors.sh
exec .venv/bin/python bench/history_bench.py "$@"
