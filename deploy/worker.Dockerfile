# Container image for a Holdfast worker (build after `./mvnw package`):
#   docker build -f deploy/worker.Dockerfile -t holdfast-worker .
#   docker run --privileged -v /dev:/dev -v holdfast-worker:/state holdfast-worker \
#     --console https://console.example --enrol-token <token>
# Not built in CI here (no Docker engine on the build machines).
FROM eclipse-temurin:21-jre
COPY target/holdfast-worker.jar /opt/holdfast/holdfast-worker.jar
VOLUME /state
ENTRYPOINT ["java", "-Xmx256m", "-jar", "/opt/holdfast/holdfast-worker.jar", "--state", "/state"]
