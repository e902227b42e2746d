# Sourced by the bench scripts: offers `run_java MAIN ARGS...` and $out for result files.
# Here it builds the jars (mvn package) first. Where there is no Maven (the GPU machine), set
# TB_CLASSPATH to the prepared jars and TB_JAVA to a java binary instead.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${TB_BENCH_OUT:-$root/bench/out}
mkdir -p "$out"
if [[ -n ${TB_CLASSPATH:-} ]]; then
  java_bin=${TB_JAVA:-java}
  classpath=$TB_CLASSPATH
else
  source "$root/scripts/java-env.sh"
  (cd "$root" && mvn -B -q package -DskipTests -pl bench -am >&2)
  java_bin=$JAVA_HOME/bin/java
  classpath="$root/bench/target/tensorbridge-bench-0.1.0-SNAPSHOT.jar:$root/bench/target/lib/*"
fi
run_java() {
  "$java_bin" --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -Xss4m ${TB_JAVA_OPTS:-} -cp "$classpath" "$@"
}
