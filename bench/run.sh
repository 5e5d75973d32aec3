#!/usr/bin/env bash
# bench/run.sh - Holdfast's engine side by side with restic, borg, zstd and partclone on the
# deterministic 8 GiB test disk, in one run, one table (anchors.sh does the measuring).
#
#   bench/run.sh            everything (~25 min, ~30 GB free in $BENCH)
#   REPEAT=1 bench/run.sh   one sample of each engine run instead of three (see anchors.sh)
#   ONLY="worker borgfixed partclone" bench/run.sh    a subset (see anchors.sh)
#   CHUNK=128K bench/run.sh  another chunk size for the engine
#   AOT=0 bench/run.sh       the engine without a JDK AOT cache (see below)
#   ONLY=none bench/run.sh   only the engine's ext4-partition runs (backup, recompress, restores)
#
# The engine runs twice in each phase: "worker", a fresh JVM per command (as an admin runs the
# CLI), and "resident", the same commands in one JVM that stays running, as the worker daemon
# runs its jobs (bench/Resident.java; it warms up on the engine's self-test disk only).
#
# Needs (Debian): restic borgbackup zstd partclone qemu-utils fio b3sum gdisk dosfstools mtools
#                 e2fsprogs ntfs-3g faketime openssl time
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BENCH=$(realpath -m "${BENCH:-/tmp/imgbench}"); export BENCH
CHUNK=${CHUNK:-256K}
if [ -z "${JAVA_HOME:-}" ]; then export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; fi
JAR=$ROOT/target/holdfast-worker.jar
[ -f "$JAR" ] || (cd "$ROOT" && ./mvnw -B -q package -DskipTests)
# A JDK AOT cache (JDK 25: classes loaded and linked, method profiles), trained by the engine's
# own self-test on a generated 64 MiB disk, never on the bench disk. Each 'image' command is a
# fresh JVM; the cache spares it most of its warm-up (README, "The engine alone").
AOT_OPT=""
if [ "${AOT:-1}" = 1 ]; then
  AOT_FILE=$BENCH/holdfast-worker.aot
  rm -f "$AOT_FILE"
  "$JAVA_HOME/bin/java" -XX:AOTCacheOutput="$AOT_FILE" -jar "$JAR" image selftest > /dev/null 2>&1
  AOT_OPT="-XX:AOTCache=$AOT_FILE"
fi
# a worker's budget: the heap stays small; chunk buffers are bounded by the thread pool
W="$JAVA_HOME/bin/java -Xmx160m $AOT_OPT -jar $JAR image"

# engine_commands VARIANT PREFIX: anchors.sh's <VARIANT>_INIT/_FULL/_INCR/_VERIFY/_RESTORE, the
# same image commands for each way of running the engine ($REPO, $DISK, $OUTFILE: anchors.sh's)
engine_commands() {
  export "$1_INIT=$2 init --repo \$REPO --chunk-size $CHUNK > /dev/null"
  export "$1_FULL=$2 create --repo \$REPO --machine bench --disk \$DISK=disk"
  export "$1_INCR=$2 create --repo \$REPO --machine bench --disk \$DISK=disk"
  export "$1_VERIFY=$2 verify --repo \$REPO"
  export "$1_RESTORE=$2 restore --repo \$REPO --image latest --target \$OUTFILE"
}
engine_commands WORKER "$W"

if [ -z "${ONLY:-}" ] || [[ " $ONLY " == *" resident "* ]]; then
  RESIDENT_SOCK=$BENCH/resident.sock
  export RESIDENT_STATS=$BENCH/resident.stats
  # as deploy/holdfast-worker.service runs the worker: its heap options and malloc settings
  # shellcheck source=bench/service.sh
  . "$HERE/service.sh"
  rm -rf "$BENCH/resident-classes"
  "$JAVA_HOME/bin/javac" --release 21 -cp "$JAR" -d "$BENCH/resident-classes" "$HERE/Resident.java"
  # ten self-tests (64 MiB disk each, never the bench disk) stand for the jobs a worker has run
  env "${SERVICE_ENV[@]}" "$JAVA_HOME/bin/java" "${SERVICE_HEAP[@]}" \
    -cp "$JAR:$BENCH/resident-classes" Resident "$RESIDENT_SOCK" 10 > "$BENCH/resident.log" 2>&1 &
  RESIDENT_PID=$!
  trap 'kill $RESIDENT_PID 2>/dev/null || true' EXIT
  for _ in $(seq 300); do
    grep -q '^resident: ready' "$BENCH/resident.log" 2>/dev/null && break
    kill -0 $RESIDENT_PID 2>/dev/null || { cat "$BENCH/resident.log" >&2; echo "resident JVM died" >&2; exit 1; }
    sleep 1
  done
  engine_commands RESIDENT "python3 $HERE/resident.py $RESIDENT_SOCK $RESIDENT_STATS"
fi

if [ ! -f "$BENCH/disk.raw" ]; then "$HERE/make-disk.sh" "$BENCH" >&2; fi

# The ext4 partition alone, to set beside partclone+zstd (day-0 disk): as a backup stores it, and
# after 'image recompress' (strong, zstd 15) has compressed the same chunks again. Restores of the
# partition's image, from a cold cache, before and after, show what recompression costs a restore.
P2=$BENCH/repo-worker-p2
P2_OUT=$BENCH/p2-restored.img
rm -rf "$P2" "$P2_OUT"
drop_cache() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }
timed() { # timed LABEL command... -> "LABEL: 12.3 s wall, 20.1 CPU-s, 180 MiB peak RSS"
  local label=$1; shift
  /usr/bin/time -f "$label: %e s wall, %U+%S CPU-s, %M KiB peak RSS" -o "$BENCH/timed.txt" "$@" > /dev/null
  awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+\+[0-9.]+$/) { split($i, c, "+"); $i = c[1] + c[2] }
         for (i = 1; i <= NF; i++) if ($(i+1) == "KiB") { $i = int($i / 1024); $(i+1) = "MiB" } print }' \
    "$BENCH/timed.txt"
}
$W init --repo "$P2" --chunk-size "$CHUNK" > /dev/null
$W create --repo "$P2" --machine bench --disk "$BENCH/disk.raw=disk@2" > /dev/null
P2_BYTES=$(du -sb "$P2" | cut -f1)
drop_cache
P2_RESTORE_FAST=$(timed "restore, cold" $W restore --repo "$P2" --image latest --target "$P2_OUT")
rm -f "$P2_OUT"
P2_RECOMPRESS=$(timed "recompress" $W recompress --repo "$P2")
P2_STRONG_BYTES=$(du -sb "$P2" | cut -f1)
drop_cache
P2_RESTORE_STRONG=$(timed "restore, cold" $W restore --repo "$P2" --image latest --target "$P2_OUT")
rm -rf "$P2" "$P2_OUT"

if [ "${ONLY:-}" != none ]; then "$HERE/anchors.sh"; fi
echo
echo "holdfast ext4 partition alone (day 0, chunk $CHUNK): $P2_BYTES bytes in the repository"
echo "  as backed up (fast):           $P2_RESTORE_FAST"
echo "  after $P2_RECOMPRESS"
echo "  recompressed (strong):         $P2_STRONG_BYTES bytes; $P2_RESTORE_STRONG"
echo "holdfast ran with ${AOT_OPT:-no AOT cache}"

# Issue 3's targets against this run's numbers (the newest anchors TSV, i.e. this run's)
TSV=$(ls -t "$BENCH"/results/anchors-*.tsv 2>/dev/null | head -1)
if [ "${ONLY:-}" != none ] && [ -n "$TSV" ]; then
  python3 - "$TSV" "$P2_BYTES" "$P2_STRONG_BYTES" <<'PY'
import csv, statistics, sys
# a tool's op may have run several times (anchors.sh REPEAT): the verdict takes the median
rows = {}
for r in csv.DictReader(open(sys.argv[1]), delimiter="\t"):
    rows.setdefault((r["tool"], r["op"]), []).append(r)
p2_fast, p2_strong = int(sys.argv[2]), int(sys.argv[3])
LOGICAL = 8589934592
def runs(tool, op, col):
    return [float(r[col]) for r in rows.get((tool, op), []) if r[col] not in ("", None)]
def get(tool, op, col):
    xs = runs(tool, op, col)
    if not xs:
        return None
    return max(xs) if col == "maxrss_MiB" else statistics.median(xs)
def each(tool, op):
    """every run's wall time, when there were several: ' (runs 5.9 / 6.1 / 6.4 s)'"""
    xs = runs(tool, op, "wall_s")
    return f" (runs {' / '.join(f'{x:.1f}' for x in xs)} s)" if len(xs) > 1 else ""
borgf = get("borg", "create full (fixed 4MiB)", "wall_s")
borgsz = get("borg", "create full (fixed 4MiB)", "size_bytes")
pc = get("partclone", "extfs -c p2 | zstd -3 -T2", "size_bytes")
resticb = get("restic", "backup incr (1%)", "size_bytes")
def row(what, target, needs, value, ok):
    """One target; 'not measured' when this run (ONLY=...) left out a number it needs."""
    if any(x is None for x in needs):
        print(f"{what:<34} {'not measured in this run':<62} {target:<30} -")
    else:
        print(f"{what:<34} {value():<62} {target:<30} {'met' if ok() else 'MISSED'}")
ENGINES = {"worker": "a fresh JVM per command", "resident": "one JVM that stays running"}
for tool, how in ENGINES.items():
    if not any(t == tool for t, _ in rows):
        continue
    full = get(tool, "backup full", "wall_s"); repo = get(tool, "backup full", "size_bytes")
    incr = get(tool, "backup incr (1%)", "wall_s"); incrb = get(tool, "backup incr (1%)", "size_bytes")
    ver = get(tool, "verify", "wall_s"); res = get(tool, "restore", "wall_s")
    rss = max((x for x in (get(tool, op, "maxrss_MiB") for op in ("backup full", "backup incr (1%)", "verify", "restore")) if x is not None), default=None)
    print()
    print(f"issue 3 targets, this run: {tool} ({how}); times are medians")
    row("full image", "<= 6 s", [full], lambda: f"{full:.1f} s{each(tool, 'backup full')}", lambda: full <= 6)
    row("full image against borg fixed 4MiB", ">= 2.5x", [full, borgf],
        lambda: f"{borgf / full:.2f}x ({borgf:.1f} s{each('borg', 'create full (fixed 4MiB)')})",
        lambda: borgf / full >= 2.5)
    row("whole disk stored", "< borg fixed", [repo, borgsz],
        lambda: f"{repo / 1e9:.3f} GB (borg fixed {borgsz / 1e9:.3f} GB)", lambda: repo < borgsz)
    # the ext4 partition's runs above are CLI runs: they belong to the worker's rows
    if tool == "worker":
        row("ext4 alone, as backed up", "<= partclone+zstd -3", [p2_fast, pc],
            lambda: f"{p2_fast / 1e9:.3f} GB (partclone+zstd {pc / 1e9:.3f} GB)", lambda: p2_fast <= pc)
        row("ext4 alone, after recompress", "<= partclone+zstd -3", [p2_strong, pc],
            lambda: f"{p2_strong / 1e9:.3f} GB", lambda: p2_strong <= pc)
    row("incremental after 1 %", "<= 3 s, <= restic's bytes", [incr, incrb, resticb],
        lambda: f"{incr:.1f} s, {incrb / 1e6:.1f} MB (restic {resticb / 1e6:.1f} MB){each(tool, 'backup incr (1%)')}",
        lambda: incr <= 3 and incrb <= resticb)
    row("verify, cold", ">= 1.5 GB/s", [ver],
        lambda: f"{LOGICAL / ver / 1e9:.2f} GB/s ({ver:.1f} s){each(tool, 'verify')}",
        lambda: LOGICAL / ver / 1e9 >= 1.5)
    row("restore, cold", ">= 1 GB/s", [res],
        lambda: f"{LOGICAL / res / 1e9:.2f} GB/s ({res:.1f} s){each(tool, 'restore')}",
        lambda: LOGICAL / res / 1e9 >= 1)
    row("peak RSS", "<= 256 MiB", [rss], lambda: f"{rss:.0f} MiB", lambda: rss <= 256)
PY
fi
echo "note: holdfast restores free space as zeros (stale data is not imaged), so its restore"
echo "      sha256 differs from the source disk by design; the engine tests check fsck and"
echo "      byte equality of every allocated block instead."
