#!/usr/bin/env bash
# The main job on a fresh machine: set-up (scripts/bootstrap.sh), then GitFleet's history
# summary of this repository (or of the repository given as argument).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/bootstrap.sh" >&2
cd "$root"
exec .venv/bin/python -m GitFleet "$@"
