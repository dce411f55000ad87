#!/usr/bin/env bash
# Tests the Java client (bindings/java/) as an integrator uses it: installs
# libpayrules with scripts/install-c.sh into target/java/prefix, compiles
# the library and its tests with javac against the system's JNA
# (/usr/share/java/jna.jar, Debian's libjna-java; no Maven), and runs
# org.payrules.PayrulesTest (golden requests byte for byte, the typed batch,
# exceptions, 8 threads on one policy, native memory freed) with
# -Djna.library.path pointing at the installed lib/.
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
java -Xms64m -Xmx64m -XX:+AlwaysPreTouch -Djna.library.path="$out/prefix/lib" \
  -cp "$out/payrules.jar:$out/test-classes:$JNA_JAR" org.payrules.PayrulesTest "$PWD"
