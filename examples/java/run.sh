#!/usr/bin/env bash
# Compile and run the JUnit 5 example with Debian's jars (packages junit5, libzookeeper-java,
# libcurator-recipes-java) through JUnit's console launcher; its exit code is the tests' verdict.
# Run from anywhere: the tests start zookit from this checkout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
jars=/usr/share/java
launcher="$jars/junit-platform-console-standalone.jar"
cp=""
for j in zookeeper zookeeper-jute curator-client curator-framework curator-recipes guava slf4j-api slf4j-nop; do
  cp="$cp${cp:+:}$jars/$j.jar"
done
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
# javac comes with a JDK; Debian's JRE has the compiler module too, which `java -m` runs.
if command -v javac >/dev/null; then javac=(javac); else javac=(java -m jdk.compiler/com.sun.tools.javac.Main); fi
"${javac[@]}" -d "$out" -cp "$cp:$launcher" "$here"/ZookitEnsemble.java "$here"/EnsembleFailoverTest.java
java -Dzookit.repo="$repo" -jar "$launcher" --class-path "$out:$cp" --select-class EnsembleFailoverTest \
  --disable-banner --disable-ansi-colors --details=tree --fail-if-no-tests "$@"
