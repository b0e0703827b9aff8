# Sourced by test.sh and bench.sh: the virtual environment ($VENV, default .venv),
# created on first use and brought up to date with the given extras.
VENV="${VENV:-.venv}"

venv_install() {
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV"
    fi
    # Installed once per set of extras, again when pyproject.toml changes: the quick
    # loop does not pay pip's few seconds of checking on every run.
    local stamp="$VENV/.installed-$(printf '%s' "$1" | tr ',' '-')"
    if [ -e "$stamp" ] && [ "$stamp" -nt pyproject.toml ]; then
        return
    fi
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet -e ".[$1]"
    touch "$stamp"
}
