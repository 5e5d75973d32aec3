#!/usr/bin/env bash
# deploy/build-worker-image.sh - builds the worker container image (deploy/worker.Dockerfile)
# with podman, without any container registry:
#   1. a base image: Debian bookworm (debootstrap, minbase, with attr for setfattr, which file
#      restores use to put back ACLs and file capabilities) plus a Java runtime made by jlink from
#      this build's JDK with the modules the worker jar needs (jdeps), at /opt/java/openjdk;
#   2. the worker image on top of it: localhost/holdfast-worker:<tag>.
# Needs: podman, debootstrap (Debian packages), target/holdfast-worker.jar, JAVA_HOME (JDK 21+).
# Where a registry is reachable, `podman build -f deploy/worker.Dockerfile .` with the default
# BASE (eclipse-temurin:21-jre) gives the same worker image.
#
#   deploy/build-worker-image.sh [tag]     tag defaults to "dev"
#   CACHE=dir                              where the base rootfs is kept (default target/container)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TAG=${1:-dev}
CACHE=${CACHE:-$ROOT/target/container}
JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
JAR=$ROOT/target/holdfast-worker.jar
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
[ -f "$JAR" ] || { echo "no $JAR: run ./mvnw package first" >&2; exit 1; }
mkdir -p "$CACHE"
# the Java modules the worker needs name the base image, so a jar that needs a new one (the
# engine's direct I/O needs jdk.unsupported) gets a new runtime instead of a cached one without it
MODULES=$("$JAVA_HOME/bin/jdeps" --print-module-deps --ignore-missing-deps --multi-release 21 "$JAR")
PACKAGES=attr
BASE=localhost/holdfast-worker-base:bookworm-$(echo "$MODULES $PACKAGES" | sha256sum | cut -c1-12)

if ! podman image exists "$BASE"; then
  ROOTFS=$CACHE/rootfs
  if [ ! -x "$ROOTFS/bin/sh" ] || [ ! -x "$ROOTFS/usr/bin/setfattr" ]; then
    rm -rf "$ROOTFS"
    debootstrap --variant=minbase --include="$PACKAGES" bookworm "$ROOTFS" "$MIRROR" \
      > "$CACHE/debootstrap.log" 2>&1 \
      || { tail -20 "$CACHE/debootstrap.log" >&2; exit 1; }
  fi
  rm -rf "$ROOTFS/opt/java/openjdk"
  mkdir -p "$ROOTFS/opt/java"
  "$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files \
    --output "$ROOTFS/opt/java/openjdk"
  rm -rf "$ROOTFS/var/cache/apt/archives"/*.deb "$ROOTFS/var/lib/apt/lists"/*
  tar -C "$ROOTFS" -c . | podman import -q \
    --change 'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV JAVA_HOME=/opt/java/openjdk' \
    --change 'ENV LANG=C.UTF-8' \
    - "$BASE" > /dev/null
  echo "base image $BASE: Debian bookworm minbase + jlink runtime ($MODULES)" >&2
fi

podman build -q --build-arg BASE="$BASE" -f "$ROOT/deploy/worker.Dockerfile" \
  -t "localhost/holdfast-worker:$TAG" "$ROOT" > /dev/null
echo "localhost/holdfast-worker:$TAG"
