#!/usr/bin/env bash
# Runs every test of payrules: formatting, lints, Rust (unit, integration,
# property, doc), the C client, and the Python package.
# This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets -- -D warnings
echo "== cargo test"
cargo test --all-targets
cargo test --doc
for extra in scripts/test-c.sh scripts/test-python.sh; do
  if [ -f "$extra" ]; then
    echo "== $extra"
    bash "$extra"
  fi
done
echo "== all tests passed"
