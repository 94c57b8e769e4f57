#!/usr/bin/env bash
# JMH micro-benchmarks of the request path (src/test/java/**/*Benchmark.java).
#   bench/jmh.sh                  # all of them, JMH's default output
#   bench/jmh.sh FrontCodec -f 1  # JMH arguments pass through
set -euo pipefail
cd "$(dirname "$0")/.."
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
mvn -q -B test-compile dependency:build-classpath -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test >/dev/null
exec "$JAVA_HOME/bin/java" -cp "target/test-classes:target/classes:$(cat target/test-classpath.txt)" \
  org.openjdk.jmh.Main "$@"
