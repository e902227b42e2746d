# Sourced by the bench scripts: builds the jars once and offers `run_java MAIN ARGS...`.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/java-env.sh"
out=$root/bench/out
mkdir -p "$out"
if [[ ! -f $root/bench/target/tensorbridge-bench-0.1.0-SNAPSHOT.jar || ${TB_REBUILD:-1} == 1 ]]; then
  (cd "$root" && mvn -B -q package -DskipTests -pl bench -am >&2)
fi
run_java() {
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xss4m ${TB_JAVA_OPTS:-} \
    -cp "$root/bench/target/tensorbridge-bench-0.1.0-SNAPSHOT.jar:$root/bench/target/lib/*" "$@"
}
