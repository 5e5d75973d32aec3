package io.holdfast.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A real Keycloak (the distribution Maven unpacks into target/keycloak) in dev mode on loopback,
 * with the project's realm export imported. The realm's redirect URIs are rewritten for the port
 * the console under test listens on.
 */
public final class KeycloakServer implements AutoCloseable {

  public static final String REALM = "holdfast";
  public static final String CLIENT_SECRET = "holdfast-console-secret-change-me-in-production";

  private final Process process;
  private final Path log;
  private final int port;

  private KeycloakServer(Process process, Path log, int port) {
    this.process = process;
    this.log = log;
    this.port = port;
  }

  public static KeycloakServer start(int consolePort) throws Exception {
    Path home =
        Path.of(System.getProperty("holdfast.keycloak.home", "target/keycloak/keycloak-26.7.3"));
    if (!Files.isExecutable(home.resolve("bin/kc.sh"))) {
      throw new IllegalStateException(
          "No Keycloak at " + home + ": run the tests through Maven (mvn verify) to unpack it");
    }
    // a fresh realm on every run: forget the dev database, import the realm for this port
    deleteTree(home.resolve("data/h2"));
    Path imports = Files.createDirectories(home.resolve("data/import"));
    String realm = Files.readString(Path.of("keycloak", "holdfast-realm.json"));
    Files.writeString(
        imports.resolve("holdfast-realm.json"),
        realm.replace("127.0.0.1:8080", "127.0.0.1:" + consolePort));
    int port = AppProcess.freePort();
    Path log = Files.createTempFile("keycloak", ".log");
    ProcessBuilder pb =
        new ProcessBuilder(
                home.resolve("bin/kc.sh").toString(),
                "start-dev",
                "--http-host=127.0.0.1",
                "--http-port=" + port,
                "--http-management-port=" + AppProcess.freePort(),
                "--import-realm")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("KC_BOOTSTRAP_ADMIN_USERNAME", "kcadmin");
    pb.environment().put("KC_BOOTSTRAP_ADMIN_PASSWORD", "kcadmin-password");
    KeycloakServer kc = new KeycloakServer(pb.start(), log, port);
    kc.awaitReady(Duration.ofSeconds(240));
    return kc;
  }

  private void awaitReady(Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    URI wellKnown = URI.create(issuer() + "/.well-known/openid-configuration");
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("Keycloak exited early:\n" + log());
      }
      try {
        var r =
            http.send(
                HttpRequest.newBuilder(wellKnown).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(500);
    }
    throw new IllegalStateException("Keycloak was not ready in " + timeout + ":\n" + log());
  }

  /** The realm's issuer, which is also the console's {@code quarkus.oidc.auth-server-url}. */
  public String issuer() {
    return "http://127.0.0.1:" + port + "/realms/" + REALM;
  }

  /** What the console needs in its environment to sign people in through this Keycloak. */
  public Map<String, String> consoleEnvironment() {
    return Map.of(
        "QUARKUS_OIDC_TENANT_ENABLED",
        "true",
        "QUARKUS_OIDC_AUTH_SERVER_URL",
        issuer(),
        "QUARKUS_OIDC_CREDENTIALS_SECRET",
        CLIENT_SECRET);
  }

  /** An access token for a realm user, as a script would get one (the holdfast-cli client). */
  public String accessToken(String username, String password) throws Exception {
    String form =
        Map.of(
                "grant_type",
                "password",
                "client_id",
                "holdfast-cli",
                "username",
                username,
                "password",
                password)
            .entrySet()
            .stream()
            .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
            .collect(Collectors.joining("&"));
    var r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(issuer() + "/protocol/openid-connect/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("Keycloak refused a token: " + r.body());
    }
    return new ObjectMapper().readTree(r.body()).get("access_token").asText();
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.toHandle().descendants().forEach(ProcessHandle::destroy);
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
