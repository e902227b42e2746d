#!/usr/bin/env bash
# Prepares .device/ (git-ignored) for scripts/device-check.sh on the GPU machine, which has no Java and no
# Maven: the jars with their runtime dependencies, the compiled tests, JUnit's console launcher and a
# trimmed Java 25 runtime. Then, with the device tool:
#   run  command: "bash scripts/device-check.sh"   carry: [".device"]   timeout_s: 540
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source scripts/java-env.sh
mvn -B -q package -DskipTests -pl cli,bench -am
mvn -B -q test-compile -pl torch,bridge -am
rm -rf .device
mkdir -p .device/lib .device/tests
cp bench/target/lib/*.jar bench/target/tensorbridge-bench-*.jar cli/target/tensorbridge-cli.jar .device/lib/
cp -r torch/target/test-classes .device/tests/torch
cp -r bridge/target/test-classes .device/tests/bridge
mvn -B -q dependency:copy -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.1 \
  -DoutputDirectory="$root/.device" -Dmdep.stripVersion=true
"$root/../shared/tools/device-jre.sh" .device
du -sh .device
