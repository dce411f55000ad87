#!/usr/bin/env bash
# Tests the Python package as a user gets it, from a wheel:
# 1. builds the wheel: `pip wheel --no-deps ./bindings/python -w target/wheels`
#    (setup.py runs cargo and packages libpayrules.so, a copy of
#    include/payrules.h and py.typed), in the build environment target/py-venv
#    (which then gets the wheel too, for bindings/python/benches/bench.py);
# 2. checks its name (py3-none-manylinux_2_X_<arch> on Linux), its files, and
#    with `auditwheel show` (from PyPI) that the tag is the one the library
#    allows;
# 3. makes a fresh virtual environment target/py-wheel-venv with a PATH from
#    which every directory holding cargo or rustc is removed (checked), installs
#    the wheel there with pytest and hypothesis (cffi comes as its dependency),
#    and runs bindings/python/tests from a directory where the source tree is
#    not importable; conftest.py checks that `payrules` is the installed one.
# Prints pytest's summary line; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

PYTHON="${PYTHON:-python3}"
# The interpreter itself (not a shim), so that it runs without PATH.
real_python=$("$PYTHON" -c 'import sys; print(sys.executable)')
export PIP_DISABLE_PIP_VERSION_CHECK=1

make_venv() {
  local venv=$1
  if ! env PATH="$2" "$real_python" -m venv "$venv" 2>/dev/null; then
    # Debian/Ubuntu ship venv separately.
    rm -rf "$venv"
    echo "== installing python3-venv"
    sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq >/dev/null && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    env PATH="$2" "$real_python" -m venv "$venv"
  fi
}

build_venv=target/py-venv
if [ ! -x "$build_venv/bin/python" ]; then
  echo "== creating $build_venv"
  mkdir -p target
  make_venv "$build_venv" "$PATH"
fi
bpy="$build_venv/bin/python"
echo "== pip install auditwheel (build environment)"
"$bpy" -m pip install --quiet auditwheel

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
wheels=target/wheels
rm -rf "$wheels"
echo "== pip wheel --no-deps ./bindings/python -w $wheels (cargo rustc --release --lib --no-default-features --features book)"
"$bpy" -m pip wheel --quiet --no-deps ./bindings/python -w "$wheels"
shopt -s nullglob
built=("$wheels"/payrules-*.whl)
if [ ${#built[@]} -ne 1 ]; then
  echo "test-python: expected one wheel in $wheels, got: ${built[*]:-none}" >&2
  exit 1
fi
wheel=$(cd "$wheels" && pwd)/$(basename "${built[0]}")
name=$(basename "$wheel")
echo "== $name"
arch=$(uname -m)
if [ "$(uname -s)" = Linux ]; then
  [[ "$name" =~ ^payrules-${version}-py3-none-manylinux_2_[0-9]+_${arch}\.whl$ ]] \
    || { echo "test-python: unexpected wheel name $name" >&2; exit 1; }
fi
"$bpy" - "$wheel" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
for f in ("payrules/__init__.py", "payrules/libpayrules.so", "payrules/payrules.h", "payrules/py.typed"):
    assert f in names, f"{f} is not in the wheel"
assert not any(n.endswith((".rs", ".toml")) for n in names), "sources in the wheel"
print("   holds libpayrules.so, payrules.h, py.typed")
PY
if [ "$(uname -s)" = Linux ]; then
  tag=${name#payrules-"$version"-py3-none-}
  tag=${tag%.whl}
  "$build_venv/bin/auditwheel" show "$wheel" >target/auditwheel.txt 2>&1 || { cat target/auditwheel.txt; exit 1; }
  if ! tr -s ' \n' ' ' <target/auditwheel.txt | grep -F "consistent with the following platform tag: \"$tag\"" >/dev/null; then
    echo "test-python: auditwheel does not agree with the tag $tag:" >&2
    cat target/auditwheel.txt >&2
    exit 1
  fi
  echo "   auditwheel show: consistent with $tag"
fi

# The build environment gets the wheel too, for bindings/python/benches/bench.py
# (README: target/py-venv/bin/python bindings/python/benches/bench.py).
"$bpy" -m pip install --quiet cffi
"$bpy" -m pip install --quiet --force-reinstall --no-deps "$wheel"

# A PATH without cargo or rustc.
clean_path=$(
  IFS=:
  out=()
  for d in $PATH; do
    [ -e "$d/cargo" ] || [ -e "$d/rustc" ] || out+=("$d")
  done
  IFS=:
  echo "${out[*]}"
)
if env PATH="$clean_path" bash -c 'command -v cargo || command -v rustc' >/dev/null; then
  echo "test-python: cargo or rustc still on the PATH" >&2
  exit 1
fi
venv=$repo/target/py-wheel-venv
rm -rf "$venv"
echo "== fresh $venv, PATH without cargo or rustc"
make_venv "$venv" "$clean_path"
py="$venv/bin/python"
echo "== pip install $name pytest hypothesis"
env PATH="$clean_path" "$py" -m pip install --quiet "$wheel" pytest hypothesis
run_dir=target/py-run
rm -rf "$run_dir"
mkdir -p "$run_dir"
cd "$run_dir"
echo "== pytest bindings/python/tests (from $run_dir, against the installed wheel)"
env PATH="$clean_path" PAYRULES_INSTALLED_UNDER="$venv" \
  "$py" -m pytest -q -p no:cacheprovider --rootdir "$repo/bindings/python" "$repo/bindings/python/tests"
