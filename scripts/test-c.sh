#!/usr/bin/env bash
# Tests the C ABI: builds the library (lean, with the payroll book), checks the header (C99, C++, cffi),
# compiles the C programs under bindings/c/ with the system cc against
# include/payrules.h and both the shared and the static library, runs them,
# and runs them again under valgrind (installed with apt-get if missing).
# Closes with "test-c: N passed, M failed"; exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
ok() { passed=$((passed + 1)); echo "  ok   $*"; }
ko() { failed=$((failed + 1)); echo "  FAIL $*"; }
step() { local name="$1"; shift; if "$@" >"$log" 2>&1; then ok "$name"; else ko "$name"; sed 's/^/       /' "$log" | tail -40; fi; }

out=target/c-tests
mkdir -p "$out"
log="$out/step.log"
CC="${CC:-cc}"
CXX="${CXX:-c++}"
CFLAGS=(-std=c99 -Wall -Wextra -Werror -pedantic -g -Iinclude -Ibindings/c)
# What a Rust static library needs from the system (rustc --print native-static-libs).
STATIC_LIBS=(-lgcc_s -lutil -lrt -lpthread -lm -ldl -lc)

need_apt=()
command -v valgrind >/dev/null || need_apt+=(valgrind)
command -v "$CXX" >/dev/null || need_apt+=(g++)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "== installing ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  fi
fi

echo "== building the CLI, then libpayrules (debug) as C and Python get it: --no-default-features --features book"
# The library last: target/debug/libpayrules.{so,a} are then the lean build
# with the payroll book (no CLI or spreadsheet crates).
if ! cargo build --quiet --bin payrules || ! cargo build --quiet --lib --no-default-features --features book; then
  echo "test-c: 0 passed, 1 failed"
  exit 1
fi
lib=target/debug

echo "== header"
printf '#include "payrules.h"\nint main(void) { return payrules_check_abi(PAYRULES_ABI_VERSION) == PAYRULES_OK ? 0 : 1; }\n' >"$out/header.c"
cp "$out/header.c" "$out/header.cpp"
step "payrules.h compiles as C99 (-Wall -Wextra -Werror -pedantic)" "$CC" "${CFLAGS[@]}" -c "$out/header.c" -o "$out/header.o"
step "payrules.h compiles as C++11 (-Wall -Wextra -Werror -pedantic)" \
  "$CXX" -std=c++11 -Wall -Wextra -Werror -pedantic -Iinclude "$out/header.cpp" -o "$out/header-cxx" "$lib/libpayrules.a" "${STATIC_LIBS[@]}"
step "C++ program links and runs" "$out/header-cxx"
if ! python3 -c 'import cffi' 2>/dev/null; then
  python3 -m pip install --quiet cffi >/dev/null 2>&1 || true
fi
if python3 -c 'import cffi' 2>/dev/null; then
  step "payrules.h parses with cffi's cdef() and works in ABI mode" python3 bindings/c/cffi_check.py include/payrules.h "$lib/libpayrules.so"
else
  ko "cffi is not installed and could not be installed (python3 -m pip install cffi)"
fi

# The golden cases: the example request against the CLI's response, and
# tests/golden/*request*.json against their *response*.json, if any.
golden=()
if target/debug/payrules run examples/request-2026-11.json --output "$out/example.response.json" 2>/dev/null \
   || [ $? -eq 2 ]; then
  golden+=(examples/request-2026-11.json "$out/example.response.json")
else
  ko "payrules run examples/request-2026-11.json"
fi
if [ -d tests/golden ]; then
  while IFS= read -r req; do
    resp="${req/request/response}"
    [ "$resp" != "$req" ] && [ -f "$resp" ] && golden+=("$req" "$resp")
  done < <(find tests/golden -name '*request*.json' | sort)
fi

echo "== C programs (shared and static library)"
programs=(payroll threads bad_input book)
for p in "${programs[@]}"; do
  step "$p: compile against libpayrules.so" "$CC" "${CFLAGS[@]}" -pthread "bindings/c/$p.c" -o "$out/$p-shared" \
    -L"$lib" -lpayrules -Wl,-rpath,"$PWD/$lib"
  step "$p: compile against libpayrules.a" "$CC" "${CFLAGS[@]}" -pthread "bindings/c/$p.c" -o "$out/$p-static" \
    "$lib/libpayrules.a" "${STATIC_LIBS[@]}"
done
for p in "${programs[@]}"; do
  args=()
  [ "$p" = payroll ] && args=("${golden[@]}")
  for kind in shared static; do
    [ "$p" = book ] && args=("$out/book-$kind.book")
    step "$p ($kind)" "$out/$p-$kind" "${args[@]}"
  done
done

echo "== valgrind --error-exitcode=1 --leak-check=full"
if command -v valgrind >/dev/null; then
  for p in "${programs[@]}"; do
    args=()
    [ "$p" = payroll ] && args=("${golden[@]}")
    for kind in shared static; do
      [ "$p" = book ] && args=("$out/book-$kind-valgrind.book")
      step "$p ($kind) under valgrind" valgrind -q --error-exitcode=1 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect,possible "$out/$p-$kind" "${args[@]}"
    done
  done
else
  ko "valgrind is not installed and could not be installed"
fi

echo "test-c: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
