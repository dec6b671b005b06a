#!/usr/bin/env bash
# The main job on a fresh machine: set-up (scripts/bootstrap.sh), then `gitfleet analyze` on
# this repository (cloned through the clone pipeline from its local path), or on the
# repositories/URLs given as arguments. Prints where the report is.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$root/scripts/bootstrap.sh" >&2
cd "$root"
exec .venv/bin/gitfleet analyze "$@"
