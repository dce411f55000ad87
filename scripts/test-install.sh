#!/usr/bin/env bash
# Tests the C install as an integrator uses it: scripts/install-c.sh into a
# fresh temporary prefix, then, with nothing from the repository but the
# programs' sources:
# - the files, the SONAME (libpayrules.so.MAJOR), the links, payrules.pc;
# - the symbols libpayrules.so exports against include/payrules.abi;
# - bindings/c/example/example.c and bindings/c/payroll.c compiled with
#   only `pkg-config --cflags --libs payrules` (shared) and `pkg-config
#   --static --libs payrules` with libpayrules.a (static), run on the golden
#   requests (responses compared byte for byte), and run again under valgrind;
# - bindings/c/example/CMakeLists.txt (pkg_check_modules) configured, built
#   and run.
# Installs cmake, pkg-config and valgrind with apt-get when missing.
# Closes with "test-install: N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  ok   $*"; }
ko() { failed=$((failed + 1)); echo "  FAIL $*"; }
step() { local name="$1"; shift; if "$@" >"$log" 2>&1; then ok "$name"; else ko "$name"; sed 's/^/       /' "$log" | tail -40; fi; }

need_apt=()
command -v cmake >/dev/null || need_apt+=(cmake)
command -v pkg-config >/dev/null || need_apt+=(pkg-config)
command -v valgrind >/dev/null || need_apt+=(valgrind)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing ${need_apt[*]}"
  sudo=(); [ "$(id -u)" = 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >/dev/null && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

out=target/install-test
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
log="$out/step.log"
prefix="$out/prefix"
CC="${CC:-cc}"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
major=${version%%.*}

echo "== bash scripts/install-c.sh $prefix"
if ! bash scripts/install-c.sh "$prefix"; then
  echo "test-install: 0 passed, 1 failed"
  exit 1
fi

echo "== the installed files"
files_ok() {
  for f in include/payrules.h "lib/libpayrules.so.$version" lib/libpayrules.a lib/pkgconfig/payrules.pc; do
    [ -f "$prefix/$f" ] || { echo "missing $f"; return 1; }
  done
  [ "$(readlink "$prefix/lib/libpayrules.so")" = "libpayrules.so.$major" ] || { echo "libpayrules.so link"; return 1; }
  [ "$(readlink "$prefix/lib/libpayrules.so.$major")" = "libpayrules.so.$version" ] || { echo "libpayrules.so.$major link"; return 1; }
  cmp include/payrules.h "$prefix/include/payrules.h"
}
step "include/payrules.h, lib/libpayrules.so.$version with its links, lib/libpayrules.a, payrules.pc" files_ok
soname() { readelf -d "$prefix/lib/libpayrules.so.$version" | grep -F "Library soname: [libpayrules.so.$major]"; }
step "SONAME libpayrules.so.$major" soname

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
pc_ok() {
  [ "$(pkg-config --modversion payrules)" = "$version" ] || { echo "modversion $(pkg-config --modversion payrules)"; return 1; }
  [ "$(pkg-config --cflags payrules | xargs)" = "-I$prefix/include" ] || { echo "cflags $(pkg-config --cflags payrules)"; return 1; }
  [ "$(pkg-config --libs payrules | xargs)" = "-L$prefix/lib -lpayrules" ] || { echo "libs $(pkg-config --libs payrules)"; return 1; }
  pkg-config --static --libs payrules | grep -q -- "-lpayrules .*-lpthread .*-ldl" || { echo "static libs $(pkg-config --static --libs payrules)"; return 1; }
}
step "pkg-config: version $version, --cflags, --libs, --static --libs (Libs.private)" pc_ok

# The exported functions are exactly those of include/payrules.abi.
symbols_ok() {
  diff <(nm -D --defined-only "$prefix/lib/libpayrules.so" | awk '$2 == "T" { print $3 }' | grep '^payrules_' | sort) \
       <(sed -n 's/^[^#].*[ *]\(payrules_[a-z0-9_]*\)(.*/\1/p' include/payrules.abi | sort)
}
step "libpayrules.so exports exactly the functions of include/payrules.abi" symbols_ok

# The golden pairs for bindings/c/payroll.c.
golden=()
while IFS= read -r req; do
  golden+=("$req" "${req%.request.json}.response.json")
done < <(find tests/golden -name '*.request.json' | sort)

echo "== C programs built with pkg-config only (shared, static)"
CFLAGS=(-std=c99 -Wall -Wextra -Werror -pedantic -g)
read -r -a PC_CFLAGS <<<"$(pkg-config --cflags payrules)"
read -r -a PC_LIBS <<<"$(pkg-config --libs payrules)"
# Static: the same flags with --static (Libs.private), -lpayrules taken as
# the archive (-l:libpayrules.a) since the .so beside it would win.
read -r -a PC_STATIC <<<"$(pkg-config --static --libs payrules | sed 's/-lpayrules\b/-l:libpayrules.a/')"
for p in example/example payroll; do
  name=$(basename "$p")
  # -Ibindings/c only for payroll.c's check.h; payrules.h comes from the prefix.
  step "$name: cc \$(pkg-config --cflags --libs payrules)" \
    "$CC" "${CFLAGS[@]}" -pthread -Ibindings/c "${PC_CFLAGS[@]}" "bindings/c/$p.c" -o "$out/$name-shared" "${PC_LIBS[@]}"
  step "$name: cc \$(pkg-config --cflags payrules) \$(pkg-config --static --libs payrules) with libpayrules.a" \
    "$CC" "${CFLAGS[@]}" -pthread -Ibindings/c "${PC_CFLAGS[@]}" "bindings/c/$p.c" -o "$out/$name-static" "${PC_STATIC[@]}"
done
needs() {
  readelf -d "$out/example-shared" | grep -F "Shared library: [libpayrules.so.$major]" >/dev/null || { echo "shared: no NEEDED libpayrules.so.$major"; return 1; }
  ! readelf -d "$out/example-static" | grep -F libpayrules || { echo "static: depends on libpayrules"; return 1; }
}
step "shared build needs libpayrules.so.$major; static build needs no libpayrules" needs

export LD_LIBRARY_PATH="$prefix/lib"
run_example() {
  local bin=$1; shift
  "$@" "$bin" examples/request-2026-11.json >"$out/example.out" 2>"$out/example.err" || return 1
  cmp "$out/example.out" tests/golden/monthly-example.response.json || return 1
  grep -F "payrules $version (header $version)" "$out/example.err"
}
for kind in shared static; do
  step "example ($kind): examples/request-2026-11.json, response byte for byte" run_example "$out/example-$kind"
  step "payroll ($kind): amounts and golden requests" "$out/payroll-$kind" "${golden[@]}"
done
if command -v valgrind >/dev/null; then
  vg=(valgrind -q --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible)
  for kind in shared static; do
    step "example ($kind) under valgrind" run_example "$out/example-$kind" "${vg[@]}"
    step "payroll ($kind) under valgrind" "${vg[@]}" "$out/payroll-$kind" "${golden[@]}"
  done
else
  ko "valgrind is not installed and could not be installed"
fi

echo "== CMake: find_package(PkgConfig) + pkg_check_modules(PAYRULES REQUIRED IMPORTED_TARGET payrules)"
unset PKG_CONFIG_PATH LD_LIBRARY_PATH
if command -v cmake >/dev/null; then
  step "cmake configure (CMAKE_PREFIX_PATH=prefix) and build bindings/c/example" \
    bash -c "cmake -S bindings/c/example -B '$out/cmake' -DCMAKE_PREFIX_PATH='$prefix' && cmake --build '$out/cmake'"
  step "payroll_example built by CMake runs (RUNPATH from pkg-config's -L), response byte for byte" \
    run_example "$out/cmake/payroll_example"
else
  ko "cmake is not installed and could not be installed"
fi

step "bindings/c/README.md shows CMakeLists.txt as it is" \
  python3 scripts/readme-block.py bindings/c/README.md bindings/c/example/CMakeLists.txt

echo "test-install: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
