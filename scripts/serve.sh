#!/usr/bin/env bash
# Set up a virtual environment (once) and run gridreseller on its embedded SQLite database.
# It listens on port $PORT (default 8080), the variable the README's walkthrough reads too.
# Any arguments are passed to `gridreseller serve` (e.g. --workers 2; a --port wins).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/gridreseller" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet -e .
fi
exec "$VENV/bin/gridreseller" serve --port "${PORT:-8080}" "$@"
