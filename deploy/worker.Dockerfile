# Container image for a Holdfast worker (build after `./mvnw package`):
#   podman build -f deploy/worker.Dockerfile -t holdfast-worker .      (or docker build)
#   podman run --privileged -v /dev:/dev -v holdfast-worker:/state \
#     -v /srv/holdfast-repo:/srv/holdfast-repo holdfast-worker \
#     --console https://console.example --enrol-token <token>
# The worker writes image data straight into the repository, so mount the repository folder at
# the path the console has for it. --privileged and /dev let it read the host's block devices.
# BASE is any image with Java 21 or later as `java` on the PATH; deploy/build-worker-image.sh
# builds one from Debian packages where no registry is reachable (the tests use it).
ARG BASE=eclipse-temurin:21-jre
FROM ${BASE}
# setfattr (attr) puts back ACLs, file capabilities and SELinux labels on file restores
RUN command -v setfattr > /dev/null \
  || (apt-get update && apt-get install -y --no-install-recommends attr && rm -rf /var/lib/apt/lists/*)
COPY target/holdfast-worker.jar /opt/holdfast/holdfast-worker.jar
VOLUME /state
# the memory settings of deploy/holdfast-worker.service, which says why
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 MALLOC_TRIM_THRESHOLD_=131072
ENTRYPOINT ["java", "-Xms48m", "-Xmx256m", "-jar", "/opt/holdfast/holdfast-worker.jar", "--state", "/state"]
