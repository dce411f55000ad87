#!/usr/bin/env bash
# Runs every test of payrules: formatting, lints, Rust (unit, integration,
# property, doc, the ABI list), the C client, the C install (pkg-config,
# CMake), the Python wheel, the Java client (when javac and JNA are
# present) and the 工资条 HTML page in a headless Chromium (when Debian's
# chromium is installed); .ci/run installs both.
# This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy"
cargo clippy --all-targets -- -D warnings
echo "== cargo clippy, the lean build (no CLI or spreadsheet crates; the face tests need their features)"
cargo clippy --all-targets --no-default-features -- -D warnings
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
if [ -x /usr/bin/chromium ] || [ -n "${PAYRULES_CHROMIUM:-}" ]; then
  echo "== tests/slips.rs in a headless Chromium (the 工资条 page parsed and printed)"
  cargo test --test slips -- --ignored
elif [ "${CI:-}" = true ]; then
  echo "== tests/slips.rs: no Chromium in CI (.ci/run installs chromium)" >&2
  exit 1
else
  echo "== the 工资条 page's browser test skipped: no Chromium (apt-get install chromium)"
fi
echo "== all tests passed"
