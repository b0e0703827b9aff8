#!/usr/bin/env bash
# Set up a virtual environment (once) and run the benchmark (see docs/performance.md).
# Arguments are passed to bench/run.py (e.g. --duration 5 --customers 20000).
# bench/run.py installs Debian's wrk with apt-get if it is missing (needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
venv_install dev
exec "$VENV/bin/python" bench/run.py "$@"
