#!/usr/bin/env bash
# Sets up the machine (apt packages, Java 25) and runs the whole test suite, native shim build included.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
"$root/scripts/setup.sh"
source "$root/scripts/java-env.sh"
cd "$root"
exec mvn -B verify "$@"
