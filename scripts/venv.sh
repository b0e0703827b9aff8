# Sourced by test.sh and bench.sh: the virtual environment ($VENV, default .venv),
# created on first use and brought up to date with the given extras.
VENV="${VENV:-.venv}"

venv_install() {
    if [ ! -x "$VENV/bin/python" ]; then
        python3 -m venv "$VENV"
    fi
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet -e ".[$1]"
}
