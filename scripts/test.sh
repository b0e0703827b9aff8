#!/usr/bin/env bash
# Set up a virtual environment with the development tools and run every check and test.
# Arguments are passed to pytest (e.g. -k credentials, -x).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
venv_install dev,postgres
"$VENV/bin/ruff" check src tests
"$VENV/bin/ruff" format --check src tests
"$VENV/bin/mypy"
"$VENV/bin/python" -m pytest "$@"
