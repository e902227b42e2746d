# Sourced by the scripts: points JAVA_HOME at a Java 25 (tensorbridge uses the FFM API of Java 22+).
for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64; do
  if [[ -n $candidate && -x $candidate/bin/java ]] && "$candidate/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
    export JAVA_HOME=$candidate PATH=$candidate/bin:$PATH
    # Maven 3.8 on Java 25 warns about sun.misc.Unsafe on every run; the warning is not ours.
    export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
    return 0 2>/dev/null || exit 0
  fi
done
echo "tensorbridge: Java 25 not found (looked at \$JAVA_HOME and /usr/lib/jvm/temurin-25-jdk-amd64): install Temurin 25 and set JAVA_HOME" >&2
return 1 2>/dev/null || exit 1
