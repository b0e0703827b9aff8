#!/usr/bin/env bash
# Set up a virtual environment with the development tools and run every check and test.
# Arguments are passed to pytest (e.g. -k credentials, -x).
# `--quick` first: the same checks, then only the tests that start no server, process
# or cluster of their own (pytest -m "not slow"), on SQLite only: the loop while working.
set -euo pipefail
cd "$(dirname "$0")/.."
quick=false
if [ "${1:-}" = "--quick" ]; then
    quick=true
    shift
fi
. scripts/venv.sh
venv_install dev,postgres
"$VENV/bin/ruff" check src tests
"$VENV/bin/ruff" format --check src tests
"$VENV/bin/mypy"
if $quick; then
    GRIDRESELLER_TEST_BACKENDS=sqlite exec "$VENV/bin/python" -m pytest -m "not slow" "$@"
fi
exec "$VENV/bin/python" -m pytest "$@"
