#!/usr/bin/env bash
# Set up a virtual environment with the development tools and run every check and test.
# Arguments are passed to pytest (e.g. -k credentials, -x).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet -e ".[dev,postgres]"
"$VENV/bin/ruff" check src tests
"$VENV/bin/ruff" format --check src tests
"$VENV/bin/mypy"
"$VENV/bin/python" -m pytest "$@"
