#!/usr/bin/env bash
# Tests the Java client (bindings/java/) as an integrator uses it: installs
# libpayrules with scripts/install-c.sh into target/java/prefix, compiles
# the library and its tests with javac against the system's JNA
# (/usr/share/java/jna.jar, Debian's libjna-java; no Maven), and runs
# org.payrules.PayrulesTest (golden requests byte for byte, the typed batch,
# exceptions, 8 threads on one policy, native memory freed) with
# -Djna.library.path pointing at the installed lib/.
# Then compiles and runs bindings/java/example/PayrollExample.java as the
# README shows (its response compared byte for byte, its batch's amounts).
# Closes with "test-java: N passed, M failed"; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."

JNA_JAR=${JNA_JAR:-/usr/share/java/jna.jar}
if ! command -v javac >/dev/null || [ ! -f "$JNA_JAR" ]; then
  echo "test-java: javac or $JNA_JAR missing (apt-get install default-jdk-headless libjna-java)" >&2
  exit 1
fi
out=target/java
rm -rf "$out/classes" "$out/test-classes"
mkdir -p "$out/classes" "$out/test-classes"
echo "== install-c.sh $out/prefix"
bash scripts/install-c.sh "$out/prefix" 2>"$out/install.log" || { cat "$out/install.log"; exit 1; }
echo "== javac (the library, then the tests) against $JNA_JAR"
javac -Xlint:all -Werror --release 17 -cp "$JNA_JAR" -d "$out/classes" $(find bindings/java/src -name '*.java')
javac -Xlint:all -Werror --release 17 -cp "$JNA_JAR:$out/classes" -d "$out/test-classes" $(find bindings/java/test -name '*.java')
(cd "$out/classes" && jar --create --file ../payrules.jar org)
echo "== java org.payrules.PayrulesTest"
# A fixed, pre-touched heap: the leak test watches the resident size.
status=0
java -Xms64m -Xmx64m -XX:+AlwaysPreTouch -Djna.library.path="$out/prefix/lib" \
  -cp "$out/payrules.jar:$out/test-classes:$JNA_JAR" org.payrules.PayrulesTest "$PWD" | tee "$out/test.log" || status=1
echo "== bindings/java/example/PayrollExample.java"
example() {
  rm -rf "$out/example" && mkdir -p "$out/example" &&
  javac -Xlint:all -Werror -cp "$out/payrules.jar:$JNA_JAR" -d "$out/example" bindings/java/example/PayrollExample.java &&
  LD_LIBRARY_PATH="$out/prefix/lib" java -cp "$out/payrules.jar:$JNA_JAR:$out/example" PayrollExample \
    examples/request-2026-11.json >"$out/example.out" 2>"$out/example.err" &&
  cmp "$out/example.out" tests/golden/monthly-example.response.json &&
  grep -Fx "W001 gross 4600.00 (base 2200.00, bonus 1100.00, honour 0.00)" "$out/example.err" &&
  grep -Fx "W002 gross 9900.00 (base 2600.00, bonus 900.00, honour 5000.00)" "$out/example.err" &&
  grep -Fx "total 14500.00" "$out/example.err" &&
  python3 scripts/readme-block.py bindings/java/README.md bindings/java/example/PayrollExample.java
}
if example >"$out/example.log" 2>&1; then
  echo "  ok   PayrollExample: the example district's response byte for byte, the batch's BigDecimal amounts"
  example_ok=1
else
  echo "  FAIL PayrollExample"
  sed 's/^/       /' "$out/example.log" "$out/example.err" 2>/dev/null | tail -30
  example_ok=0
  status=1
fi
read -r p f < <(sed -n 's/^PayrulesTest: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$out/test.log")
p=${p:-0}
f=${f:-1}
echo "test-java: $((p + example_ok)) passed, $((f + 1 - example_ok)) failed"
exit "$status"
