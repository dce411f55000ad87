#!/usr/bin/env bash
# Installs payrules for C and C++ into a prefix:
#
#   bash scripts/install-c.sh PREFIX        (e.g. /usr/local, $HOME/.local)
#
#   PREFIX/include/payrules.h
#   PREFIX/lib/libpayrules.so.X.Y.Z          SONAME libpayrules.so.X (X = major version)
#   PREFIX/lib/libpayrules.so.X -> libpayrules.so.X.Y.Z
#   PREFIX/lib/libpayrules.so   -> libpayrules.so.X
#   PREFIX/lib/libpayrules.a
#   PREFIX/lib/pkgconfig/payrules.pc         (the static link flags in Libs.private)
#
# The library is the lean one: `cargo build --release --lib
# --no-default-features --features book` (no CLI or spreadsheet crates; the
# payroll book with SQLite bundled). Needs cargo and a C linker, nothing
# downloaded beyond the crates of Cargo.lock. Environment: LIBDIR (default
# PREFIX/lib), CARGO (default cargo), CARGO_TARGET_DIR as cargo honours it,
# PAYRULES_SKIP_BUILD=1 to install what target/release already holds.
set -euo pipefail
if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: bash scripts/install-c.sh PREFIX" >&2
  exit 2
fi
# PREFIX is taken relative to the directory the script is run from.
prefix=$1
mkdir -p "$prefix"
prefix=$(cd "$prefix" && pwd)
cd "$(dirname "$0")/.."
root=$PWD
libdir=${LIBDIR:-$prefix/lib}
CARGO=${CARGO:-cargo}

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
major=${version%%.*}
if [ -z "$version" ]; then
  echo "install-c: no version in Cargo.toml" >&2
  exit 1
fi

target=${CARGO_TARGET_DIR:-target}
case "$target" in /*) ;; *) target=$root/$target ;; esac

if [ "${PAYRULES_SKIP_BUILD:-0}" != 1 ]; then
  # The SONAME is given to the cdylib's link only (`cargo rustc` passes the
  # arguments after -- to this crate alone; the staticlib and rlib ignore a
  # link argument), so no dependency is rebuilt for it. setup.py of the
  # Python package runs the same command, so the two share one build.
  echo "install-c: $CARGO rustc --release --lib --no-default-features --features book -- -C link-arg=-Wl,-soname,libpayrules.so.$major" >&2
  "$CARGO" rustc --quiet --release --lib --no-default-features --features book \
    -- -C "link-arg=-Wl,-soname,libpayrules.so.$major"
fi
built=$target/release
for f in libpayrules.so libpayrules.a; do
  [ -f "$built/$f" ] || { echo "install-c: $built/$f is missing" >&2; exit 1; }
done

# What a Rust static library needs from the system on Linux
# (`rustc --print native-static-libs`).
static_libs="-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc"

install -d "$prefix/include" "$libdir" "$libdir/pkgconfig"
install -m 644 include/payrules.h "$prefix/include/payrules.h"
install -m 755 "$built/libpayrules.so" "$libdir/libpayrules.so.$version"
ln -sfn "libpayrules.so.$version" "$libdir/libpayrules.so.$major"
ln -sfn "libpayrules.so.$major" "$libdir/libpayrules.so"
install -m 644 "$built/libpayrules.a" "$libdir/libpayrules.a"

if [ "$libdir" = "$prefix/lib" ]; then pc_libdir='${prefix}/lib'; else pc_libdir=$libdir; fi
cat >"$libdir/pkgconfig/payrules.pc" <<PC
prefix=$prefix
libdir=$pc_libdir
includedir=\${prefix}/include

Name: payrules
Description: Pay of community workers in China, exact to the fen (C ABI)
Version: $version
Cflags: -I\${includedir}
Libs: -L\${libdir} -lpayrules
Libs.private: $static_libs
PC

echo "install-c: installed payrules $version into $prefix" >&2
echo "  $prefix/include/payrules.h" >&2
echo "  $libdir/libpayrules.so.$version (SONAME libpayrules.so.$major), libpayrules.so.$major, libpayrules.so" >&2
echo "  $libdir/libpayrules.a" >&2
echo "  $libdir/pkgconfig/payrules.pc" >&2
