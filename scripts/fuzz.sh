#!/usr/bin/env bash
# Runs the cargo-fuzz targets in fuzz/ (see fuzz/README.md), one at a time.
#
#   scripts/fuzz.sh SECONDS [TARGET...]     # default: every target
#
# Installs what it needs (cargo-fuzz, a C++ compiler for libfuzzer-sys,
# python3 for the seeds), writes the seeds (fuzz/make_seeds.py), builds, runs
# each target for SECONDS, and prints per target the executions done
# (libFuzzer's final stat::number_of_executed_units) and whether it found a
# crash. Exits 1 if any target found one; the input is in
# fuzz/artifacts/TARGET/ and the log beside it.
#
# Stable Rust: libFuzzer's instrumentation needs unstable flags, so
# RUSTC_BOOTSTRAP=1 is set, and --sanitizer none (no AddressSanitizer, which
# needs nightly; the crate has no unsafe code of its own to check anyway).
# Everything runs under nice -n 19. Not part of the project's test command.
#
# FUZZ_ARGS adds libFuzzer flags, e.g. FUZZ_ARGS='-fork=1 -ignore_crashes=1'
# to keep fuzzing past a known crash (every crash is still saved).
set -euo pipefail

if [ $# -lt 1 ] || ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 SECONDS [TARGET...]" >&2
  exit 2
fi
secs=$1
shift
cd "$(dirname "$0")/.."

apt_updated=
need_apt() {
  if [ -z "$apt_updated" ]; then apt-get update -q >&2; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >&2
}
command -v c++ >/dev/null || need_apt g++
command -v python3 >/dev/null || need_apt python3
if ! cargo fuzz --version >/dev/null 2>&1; then
  nice -n 19 cargo install cargo-fuzz --locked
fi

export RUSTC_BOOTSTRAP=1
flags=(--sanitizer none)

if [ $# -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
else
  targets=("$@")
fi

python3 fuzz/make_seeds.py
for t in "${targets[@]}"; do
  nice -n 19 cargo fuzz build "${flags[@]}" "$t"
done

declare -A execs found
failed=0
for t in "${targets[@]}"; do
  art=fuzz/artifacts/$t
  mkdir -p "fuzz/corpus/$t" "$art"
  log=$art/fuzz.log
  before=$(find "$art" -maxdepth 1 -type f ! -name '*.log' | sort)
  echo "== $t: ${secs}s (log: $log)" >&2
  rc=0
  nice -n 19 cargo fuzz run "${flags[@]}" "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$secs" -print_final_stats=1 -timeout=30 -rss_limit_mb=2048 ${FUZZ_ARGS:-} \
    >"$log" 2>&1 || rc=$?
  execs[$t]=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || true)
  # In fork mode the parent prints no final stats: take its last status line.
  [ -n "${execs[$t]}" ] || execs[$t]=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#' || true)
  new=$(comm -13 <(echo "$before") <(find "$art" -maxdepth 1 -type f ! -name '*.log' | sort) | grep -v '^$' || true)
  if [ "$rc" -ne 0 ] || [ -n "$new" ]; then
    found[$t]="CRASH (exit $rc) ${new//$'\n'/ }"
    failed=1
    grep -m1 -A3 "panicked at\|ERROR: libFuzzer" "$log" >&2 || tail -20 "$log" >&2
  else
    found[$t]="none"
  fi
done

printf '\n%-10s %8s %14s  %s\n' target seconds executions findings
for t in "${targets[@]}"; do
  printf '%-10s %8s %14s  %s\n' "$t" "$secs" "${execs[$t]:-?}" "${found[$t]}"
done
exit $failed
