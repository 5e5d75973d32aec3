#!/usr/bin/env bash
# bench/poll/run.sh - throughput and latency of the worker poll endpoint on loopback.
#
# Starts the packaged console (embedded PostgreSQL, no local worker), enrols $WORKERS workers
# through the API, then lets wrk send their polls (waitSeconds 0, so each is answered at once
# after authentication, a claim query and a heartbeat) over $CONNECTIONS connections for
# $DURATION. Prints wrk's requests/s and latency distribution. Needs: wrk, curl.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
WORKERS=${WORKERS:-200}
CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-30s}
PORT=${PORT:-18089}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[ -f "$ROOT/target/quarkus-app/quarkus-run.jar" ] || (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
WORK=$(mktemp -d)
trap 'kill $APP 2>/dev/null || true; wait $APP 2>/dev/null || true; rm -rf "$WORK"' EXIT
HOLDFAST_DATA_DIR=$WORK/data HOLDFAST_LOCAL_WORKER_ENABLED=false HOLDFAST_ACCOUNTS_INITIAL_ADMIN_PASSWORD=bench-admin-pw \
  QUARKUS_HTTP_PORT=$PORT QUARKUS_LOG_LEVEL=WARN "$JAVA_HOME/bin/java" -Xmx512m ${JAVA_OPTS:-} -jar "$ROOT/target/quarkus-app/quarkus-run.jar" > "$WORK/app.log" 2>&1 &
APP=$!
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$PORT/q/health/ready" > /dev/null && break; sleep 0.5; done
API="http://127.0.0.1:$PORT/api"
for i in $(seq "$WORKERS"); do
  token=$(curl -sf -u admin:bench-admin-pw -H 'Content-Type: application/json' -d '{"note":"bench"}' "$API/v1/workers/tokens" | sed 's/.*"token":"\([^"]*\)".*/\1/')
  curl -sf -H 'Content-Type: application/json' -d "{\"token\":\"$token\",\"hostname\":\"bench-$i\",\"version\":\"bench\"}" \
    "$API/worker/v1/enrol" | sed 's/.*"credential":"\([^"]*\)".*/\1/' >> "$WORK/creds"
  echo >> "$WORK/creds"
done
sed -i '/^$/d' "$WORK/creds"
echo "enrolled $(wc -l < "$WORK/creds") workers; warming up"
CREDS=$WORK/creds wrk -t2 -c"$CONNECTIONS" -d5s -s "$HERE/poll.lua" "http://127.0.0.1:$PORT" > /dev/null
echo "== worker polls: $WORKERS workers, $CONNECTIONS connections, $DURATION, $(nproc) cores (console, PostgreSQL and wrk share them)"
CREDS=$WORK/creds wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$HERE/poll.lua" "http://127.0.0.1:$PORT"
