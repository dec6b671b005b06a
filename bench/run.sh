#!/usr/bin/env bash
# One command per benchmark: set-up, the anchors' environments, the run.
#   bash bench/run.sh [history] [--repo PATH]   commit history with line stats (default)
#   bash bench/run.sh clone [--repos N]         fleet cloning against xargs -P git clone
#   bash bench/run.sh blame [--repo PATH]       blame against git blame, pygit2
#   bash bench/run.sh odb --repo PATH ...       per core and per byte: history and blame on real
#                                               repositories, one process per figure, peak RSS
#   bash bench/run.sh columnar --repo PATH      history (and --blame) as Arrow tables vs objects
#   bash bench/run.sh store --repo PATH         the fleet store: incremental update vs full
#   bash bench/run.sh fleet [--repos 48]        a fleet into the store: one process vs Dask workers
#   bash bench/run.sh copy [--files N]          local tree copy against cp -r, shutil, rsync
#   bash bench/run.sh server [--files N]        copy server uploads against local copies, rsync daemon
#   bash bench/run.sh providers [--repos N]     listing repositories: native vs httpx vs PyGithub, githubkit
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bench=history
case "${1:-}" in history|clone|blame|copy|server|providers|odb|columnar|store|fleet) bench="$1"; shift ;; esac
[ "$bench" = server ] && bench=copy_server
[ "$bench" = odb ] && bench=object_store
[ "$bench" = store ] && bench=fleet_store
[ "$bench" = fleet ] && bench=fleet_distributed
bash scripts/bootstrap.sh >/dev/null
bash bench/setup_anchors.sh
exec .venv/bin/python "bench/${bench}_bench.py" "$@"
