#!/usr/bin/env bash
# The tools we measure against, the Python ones each in its own virtual environment so that none of them
# shares an import name or a dependency with GitFleet: PyDriller and pygit2 in .venv-bench,
# GitFleet 0.2.8 (PyPI, same import name as ours) in .venv-gitfleet-0.2.8. Idempotent;
# a tool that cannot be installed here is reported by the benchmark, not fatal.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
python="${PYTHON:-python3}"
# rsync is an anchor of the copy benchmark (a Debian package, not a Python one).
if ! command -v rsync >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq rsync >/dev/null; } \
    || echo "setup_anchors: rsync could not be installed" >&2
fi
if [ ! -f .venv-bench/.ok ]; then
  "$python" -m venv .venv-bench && .venv-bench/bin/pip install -q pydriller pygit2 && touch .venv-bench/.ok \
    || echo "setup_anchors: PyDriller/pygit2 could not be installed" >&2
fi
# The provider benchmark's anchors, added to .venv-bench (a separate stamp: older set-ups lack them).
if [ -f .venv-bench/.ok ] && [ ! -f .venv-bench/.ok-providers ]; then
  .venv-bench/bin/pip install -q PyGithub githubkit 'hishel>=1.3,<2' && touch .venv-bench/.ok-providers \
    || echo "setup_anchors: PyGithub/githubkit could not be installed" >&2
fi
if [ ! -f .venv-gitfleet-0.2.8/.ok ]; then
  "$python" -m venv .venv-gitfleet-0.2.8 && .venv-gitfleet-0.2.8/bin/pip install -q "GitFleet==0.2.8" pydantic httpx \
    && touch .venv-gitfleet-0.2.8/.ok || echo "setup_anchors: GitFleet 0.2.8 could not be installed" >&2
fi
# GitFleet 0.2.8's wheel bundles an OpenSSL built against glibc 2.38 (one symbol); its
# extension needs only OpenSSL 3.0's, so Debian's libraries stand in for the bundled ones.
libs=$(echo .venv-gitfleet-0.2.8/lib/python3*/site-packages/GitFleet.libs)
if [ -d "$libs" ] && [ ! -f "$libs/.debian-openssl" ]; then
  for lib in libcrypto libssl; do
    for bundled in "$libs"/$lib-*.so.3; do
      [ -e "$bundled" ] && cp "/usr/lib/$(uname -m)-linux-gnu/$lib.so.3" "$bundled"
    done
  done
  touch "$libs/.debian-openssl"
fi
exit 0
