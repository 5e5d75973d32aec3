#!/usr/bin/env bash
# bench/scale.sh - the worker's memory with many chunks, which the 8 GiB bench disk (11,000
# non-zero chunks) never shows. A sparse disk of SIZE_GIB GiB (default 64) holds a distinct
# non-zero chunk every 64 KiB: one 8-byte counter, the rest zeros, so 1/16 of it is on disk and
# it hashes fast. The engine images it with 64 KiB chunks (1,048,576 of them at 64 GiB), makes an
# incremental after 1 % of the chunks changed, verifies both images and collects garbage, each
# in a fresh JVM with the heap options and malloc settings of deploy/holdfast-worker.service.
#
#   bench/scale.sh                 64 GiB, 1,048,576 chunks (~4 GiB on disk in $BENCH/scale)
#   SIZE_GIB=16 bench/scale.sh     a quarter of that
#   JAR=/other/holdfast-worker.jar bench/scale.sh   another build, to compare
#
# Prints wall time, CPU time and peak RSS of each step, or how it failed. No restore: it would
# write the whole disk, zeros included.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BENCH=$(realpath -m "${BENCH:-/tmp/imgbench}")
SIZE_GIB=${SIZE_GIB:-64}
if [ -z "${JAVA_HOME:-}" ]; then export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; fi
JAR=${JAR:-$ROOT/target/holdfast-worker.jar}
[ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
# shellcheck source=bench/service.sh
. "$HERE/service.sh"
W=(env "${SERVICE_ENV[@]}" "$JAVA_HOME/bin/java" "${SERVICE_HEAP[@]}" -jar "$JAR" image)

DIR=$BENCH/scale
DISK=$DIR/disk.raw
REPO=$DIR/repo
rm -rf "$DIR"
mkdir -p "$DIR"
# stamp DISK GIB FIRST STEP TAG: the counter TAG<<40 | i into chunk i, for i = FIRST, FIRST+STEP, ...
stamp() {
  python3 - "$@" <<'PY'
import os, struct, sys
path, gib, first, step, tag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
chunks = gib << 14  # 64 KiB chunks
fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
os.ftruncate(fd, gib << 30)
for i in range(first, chunks, step):
    os.pwrite(fd, struct.pack("<Q", (tag << 40) | (i + 1)), i << 16)
os.fsync(fd)
os.close(fd)
PY
}
stamp "$DISK" "$SIZE_GIB" 0 1 0
CHUNKS=$((SIZE_GIB << 14))

step() { # step LABEL image-args...: one line of the table
  local label=$1; shift
  if /usr/bin/time -f "%e %U %S %M" -o "$DIR/time.txt" "${W[@]}" "$@" > "$DIR/step.log" 2>&1; then
    read -r wall user sys rss < "$DIR/time.txt"
    printf "%-34s %8.1f s %8.1f CPU-s %6d MiB  ok\n" "$label" "$wall" "$(awk "BEGIN { print $user + $sys }")" $((rss / 1024))
  else
    read -r wall user sys rss < <(tail -1 "$DIR/time.txt")
    printf "%-34s %8.1f s %8.1f CPU-s %6d MiB  FAILED: %s\n" "$label" "$wall" "$(awk "BEGIN { print $user + $sys }")" \
      $((rss / 1024)) "$(grep -m1 -o 'OutOfMemoryError.*\|[A-Z][a-z].*' "$DIR/step.log" | cut -c1-80)"
  fi
}
echo "disk: $SIZE_GIB GiB, $CHUNKS chunks of 64 KiB, each distinct; jar: $JAR"
echo "worker JVM: ${SERVICE_HEAP[*]} ${SERVICE_ENV[*]}"
printf "%-34s %10s %14s %10s\n" step wall CPU "peak RSS"
"${W[@]}" init --repo "$REPO" --chunk-size 64K > /dev/null
step "full image" create --repo "$REPO" --machine scale --disk "$DISK=disk"
stamp "$DISK" "$SIZE_GIB" 7 100 1 # 1 % of the chunks change
step "incremental after 1 %" create --repo "$REPO" --machine scale --disk "$DISK=disk"
step "verify both images" verify --repo "$REPO"
step "garbage collection" gc --repo "$REPO"
du -sh "$REPO" | awk '{print "repository: " $1}'
rm -rf "$DIR"
