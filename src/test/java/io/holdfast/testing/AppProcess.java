package io.holdfast.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged console ({@code target/quarkus-app/quarkus-run.jar}) run as its own process, the way
 * the README tells people to run it.
 */
public final class AppProcess implements AutoCloseable {

  private static final Pattern GENERATED_PASSWORD =
      Pattern.compile("Sign in as\\s+(\\S+)\\s+with password\\s+(\\S+)");

  private final Process process;
  private final Path log;
  private final int port;
  private final Duration startTime;

  private AppProcess(Process process, Path log, int port, Duration startTime) {
    this.process = process;
    this.log = log;
    this.port = port;
    this.startTime = startTime;
  }

  /** Starts the app with the given data folder and extra environment, and waits until ready. */
  public static AppProcess start(Path dataDir, Map<String, String> env) throws Exception {
    return start(dataDir, env, freePort());
  }

  /**
   * As {@link #start(Path, Map)} on a given port, e.g. to restart the console where workers expect
   * it.
   */
  public static AppProcess start(Path dataDir, Map<String, String> env, int port) throws Exception {
    String jar = System.getProperty("holdfast.app.jar", "target/quarkus-app/quarkus-run.jar");
    Path log = Files.createTempFile("holdfast-app", ".log");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Dquarkus.http.port=" + port);
    cmd.add("-jar");
    cmd.add(jar);
    ProcessBuilder pb =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().remove("QUARKUS_DATASOURCE_JDBC_URL");
    pb.environment().put("HOLDFAST_DATA_DIR", dataDir.toString());
    // a test run that happens to fall in the nightly maintenance window would otherwise find
    // maintenance jobs among its own; a test that wants the schedule sets it again
    pb.environment().put("HOLDFAST_MAINTENANCE_SCHEDULED", "false");
    pb.environment().putAll(env);
    long t0 = System.nanoTime();
    Process p = pb.start();
    AppProcess app = new AppProcess(p, log, port, Duration.ZERO);
    app.awaitReady(Duration.ofSeconds(120));
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    return new AppProcess(p, log, port, took);
  }

  private void awaitReady(Duration timeout) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the app exited early:\n" + log());
      }
      try {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(URI.create(baseUrl() + "/q/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("the app was not ready in " + timeout + ":\n" + log());
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  public Duration startTime() {
    return startTime;
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The first admin's password as printed on first start, if it was generated. */
  public String generatedAdminPassword() {
    Matcher m = GENERATED_PASSWORD.matcher(log());
    if (!m.find()) {
      throw new IllegalStateException("no generated admin password in the log:\n" + log());
    }
    return m.group(2);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
