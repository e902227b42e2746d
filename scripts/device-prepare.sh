#!/usr/bin/env bash
# Prepares .device/ (git-ignored) for scripts/device-check.sh on the GPU machine, which has no Java and no
# Maven: the jars with their runtime dependencies, the compiled tests, JUnit's console launcher and a
# trimmed Java 25 runtime (jlink). Then, with the device tool:
#   run  command: "bash scripts/device-check.sh"   carry: [".device"]   timeout_s: 540
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source scripts/java-env.sh
mvn -B -q package -DskipTests -pl cli,bench -am
mvn -B -q test-compile -pl torch,bridge,data,dist -am
rm -rf .device
mkdir -p .device/lib .device/tests
# The CLI's own libraries (picocli, SLF4J, Logback, commons-csv) are in cli/target/lib, not bench's.
cp bench/target/lib/*.jar bench/target/tensorbridge-bench-*.jar cli/target/tensorbridge-cli.jar .device/lib/
cp cli/target/lib/*.jar .device/lib/   # the same jar from both folders is the same file
cp -r testkit/target/classes .device/tests/testkit   # the tests' Python oracles
cp -r torch/target/test-classes .device/tests/torch
cp -r bridge/target/test-classes .device/tests/bridge
cp -r data/target/test-classes .device/tests/data
cp -r dist/target/test-classes .device/tests/dist     # NCCL's cuda-tagged tests
mvn -B -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.1 \
  -DoutputDirectory="$root/.device" -Dmdep.stripVersion=true
# A trimmed Java 25 runtime (~20 MB packed); the modules are what the CLI (metrics endpoint: jdk.httpserver;
# shell and notebook: jdk.jshell, jdk.jdi; Logback: java.naming), the benchmarks and JUnit (java.net.http scrapes) use.
modules=${TB_DEVICE_JRE_MODULES:-java.base,jdk.unsupported,java.logging,java.management,jdk.management,java.xml,java.desktop,java.compiler,java.naming,jdk.incubator.vector,jdk.httpserver,java.net.http,jdk.jshell,jdk.jdi}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=zip-9 \
  --output "$tmp/jre"
tar -C "$tmp" -cJf .device/jre.tar.xz jre
du -sh .device
