package io.holdfast.workers;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Tools;
import io.holdfast.testing.AppProcess;
import io.holdfast.testing.Console;
import io.holdfast.testing.WorkerProcess;
import io.restassured.path.json.JsonPath;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker talking to the console over HTTPS with the JDK's HTTP client: it enrols and backs up
 * when it trusts the console's certificate, and refuses a console it cannot verify.
 */
class WorkerHttpsIT {

  static final String STORE_PASSWORD = "holdfast-test-store";
  @TempDir Path tmp;

  @Test
  void a_worker_that_trusts_the_console_certificate_enrols_and_backs_up_over_https()
      throws Exception {
    Path keystore = tmp.resolve("console.p12");
    Path cert = tmp.resolve("console.pem");
    Path truststore = tmp.resolve("trust.p12");
    keytool(
        "-genkeypair",
        "-alias",
        "console",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-validity",
        "2",
        "-dname",
        "CN=127.0.0.1",
        "-ext",
        "SAN=ip:127.0.0.1,dns:localhost",
        "-storetype",
        "PKCS12",
        "-keystore",
        keystore.toString(),
        "-storepass",
        STORE_PASSWORD,
        "-keypass",
        STORE_PASSWORD);
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "console",
        "-keystore",
        keystore.toString(),
        "-storepass",
        STORE_PASSWORD,
        "-file",
        cert.toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "console",
        "-storetype",
        "PKCS12",
        "-keystore",
        truststore.toString(),
        "-storepass",
        STORE_PASSWORD,
        "-file",
        cert.toString());

    int httpsPort = AppProcess.freePort();
    Map<String, String> env = new HashMap<>(WorkerEndToEndIT.env(tmp));
    env.put("QUARKUS_HTTP_SSL_PORT", String.valueOf(httpsPort));
    env.put("QUARKUS_TLS_KEY_STORE_P12_PATH", keystore.toString());
    env.put("QUARKUS_TLS_KEY_STORE_P12_PASSWORD", STORE_PASSWORD);
    try (AppProcess app = AppProcess.start(tmp.resolve("data"), env)) {
      Console console = new Console(app.baseUrl(), WorkerEndToEndIT.PASSWORD);
      String https = "https://127.0.0.1:" + httpsPort;

      try (WorkerProcess untrusting =
          WorkerProcess.start(
              https, console.newToken(), tmp.resolve("state-untrusting"), "untrusting-host")) {
        Thread.sleep(5000);
        assertThat(console.get("/api/v1/machines?q=untrusting-host").getList("items"))
            .as("a worker that cannot verify the console sends it nothing")
            .isEmpty();
        assertThat(untrusting.log())
            .contains("does not trust the console's TLS certificate")
            .contains("-Djavax.net.ssl.trustStore");
      }

      List<String> trusting =
          List.of(
              "-Djavax.net.ssl.trustStore=" + truststore,
              "-Djavax.net.ssl.trustStorePassword=" + STORE_PASSWORD,
              "-Djavax.net.ssl.trustStoreType=PKCS12");
      try (WorkerProcess worker =
          WorkerProcess.start(
              trusting,
              https,
              console.newToken(),
              tmp.resolve("state"),
              "https-host",
              Fixtures.mbrDisk())) {
        long machine = console.awaitMachine("https-host");
        long backup = console.post("/api/v1/jobs/backup", "{\"machine\":" + machine + "}");
        JsonPath done = console.awaitJobEnd(backup, Duration.ofSeconds(120));
        assertThat(done.getString("state")).as(worker.log()).isEqualTo("SUCCEEDED");
        assertThat(console.get("/api/v1/images?machine=" + machine).getList("items")).hasSize(1);
      }
    }
  }

  private static void keytool(String... args) throws Exception {
    String[] cmd = new String[args.length + 1];
    cmd[0] = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    System.arraycopy(args, 0, cmd, 1, args.length);
    Tools.Result r = Tools.run(cmd);
    assertThat(r.exit()).as(r.output()).isZero();
  }
}
