#!/usr/bin/env bash
# Set up a virtual environment with the development tools and run every check and test.
# Arguments are passed to pytest (e.g. -k credentials, -x).
# `--quick` first: the same checks, then the tests not marked slow (pytest -m "not slow":
# none that starts a server, process or cluster of its own, nor those tests/quick_loop.py
# leaves to the full run), on SQLite only: the loop while working.
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
# The layering contracts (import-linter), once pyproject.toml declares them.
if grep -q '^\[tool\.importlinter\]' pyproject.toml; then
    "$VENV/bin/lint-imports"
fi
if $quick; then
    GRIDRESELLER_TEST_BACKENDS=sqlite exec "$VENV/bin/python" -m pytest -m "not slow" "$@"
fi
exec "$VENV/bin/python" -m pytest "$@"
