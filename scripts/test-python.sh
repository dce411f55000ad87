#!/usr/bin/env bash
# Tests the Python package: makes a virtual environment under
# target/py-venv, installs bindings/python into it (pip runs cargo build
# --release on this crate and packages libpayrules.so with a copy of
# include/payrules.h), installs pytest and hypothesis from PyPI, and runs
# bindings/python/tests. Prints pytest's summary line; exits non-zero on
# any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=target/py-venv
PYTHON="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  echo "== creating $venv"
  mkdir -p target
  if ! "$PYTHON" -m venv "$venv" 2>/dev/null; then
    # Debian/Ubuntu ship venv separately.
    rm -rf "$venv"
    echo "== installing python3-venv"
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    else
      sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
    "$PYTHON" -m venv "$venv"
  fi
fi
py="$venv/bin/python"
export PIP_DISABLE_PIP_VERSION_CHECK=1
echo "== pip install pytest hypothesis cffi"
"$py" -m pip install --quiet pytest hypothesis cffi
echo "== pip install ./bindings/python (cargo build --release --lib --no-default-features --features book)"
"$py" -m pip install --quiet --force-reinstall --no-deps ./bindings/python
echo "== pytest bindings/python/tests"
cd bindings/python
# Run from the tests directory's parent, against the installed package (not src/).
"../../$py" -m pytest -q -p no:cacheprovider tests
