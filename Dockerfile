# Container image for the Holdfast console (build after `./mvnw package`).
# Point it at PostgreSQL with QUARKUS_DATASOURCE_JDBC_URL/_USERNAME/_PASSWORD.
# Not built in CI here (no Docker engine on the build machines).
FROM eclipse-temurin:21-jre
WORKDIR /opt/holdfast
COPY target/quarkus-app/ /opt/holdfast/
ENV HOLDFAST_DATA_DIR=/var/lib/holdfast HOLDFAST_LOCAL_WORKER_ENABLED=false
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/holdfast/quarkus-run.jar"]
