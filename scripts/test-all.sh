#!/usr/bin/env bash
# Runs every test of payrules: formatting, lints, Rust (unit, integration,
# property, doc, the ABI list), the C client, the C install (pkg-config,
# CMake), the Python wheel, and the Java client (when javac and JNA are
# present; .ci/run installs them).
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
for extra in scripts/test-c.sh scripts/test-install.sh scripts/test-python.sh; do
  if [ -f "$extra" ]; then
    echo "== $extra"
    bash "$extra"
  fi
done
if command -v javac >/dev/null && [ -f "${JNA_JAR:-/usr/share/java/jna.jar}" ]; then
  echo "== scripts/test-java.sh"
  bash scripts/test-java.sh
elif [ "${CI:-}" = true ]; then
  echo "== scripts/test-java.sh: no javac or JNA in CI (.ci/run installs default-jdk-headless libjna-java)" >&2
  exit 1
else
  echo "== scripts/test-java.sh skipped: no javac or JNA (apt-get install default-jdk-headless libjna-java)"
fi
echo "== all tests passed"
