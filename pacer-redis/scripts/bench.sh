#!/usr/bin/env bash
# Benchmarks the Redis bucket store against a local redis-server it starts (not a test).
# Usage: pacer-redis/scripts/bench.sh [seconds per row, default 5]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
. "$root/bin/find-jdk"
cd "$root"
mvn -q -B -pl pacer-redis -am -DskipTests install >/dev/null
cpfile="$(mktemp)"
trap 'rm -f "$cpfile"' EXIT
mvn -q -B -pl pacer-redis dependency:build-classpath -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=test >/dev/null
cp="$(cat "$cpfile")"
"$JAVA_HOME/bin/java" -cp "pacer-redis/target/test-classes:pacer-redis/target/classes:$cp" \
  dev.pacer.redis.RedisStoreBenchmark "${1:-5}"
