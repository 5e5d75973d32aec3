package io.holdfast.workers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.engine.EngineException;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Tools;
import io.holdfast.engine.store.Repository;
import io.holdfast.testing.AppProcess;
import io.holdfast.testing.Console;
import io.holdfast.testing.WorkerProcess;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An encrypted repository added in the console: the real worker makes it with its own passphrase,
 * which the console never sees, and backs up, verifies and restores through it; without the
 * passphrase the worker refuses, saying how to give it.
 */
class EncryptedRepositoryIT {

  @TempDir Path tmp;

  @Test
  void a_worker_with_the_passphrase_backs_up_into_an_encrypted_repository_and_one_without_cannot()
      throws Exception {
    try (AppProcess app = AppProcess.start(tmp.resolve("data"), WorkerEndToEndIT.env(tmp))) {
      Console console = new Console(app.baseUrl(), WorkerEndToEndIT.PASSWORD);
      Path vault = tmp.resolve("vault");
      long repo =
          console
              .as()
              .body("{\"name\":\"vault\",\"path\":\"" + vault + "\",\"encrypted\":true}")
              .post("/api/v1/repositories")
              .then()
              .statusCode(201)
              .extract()
              .jsonPath()
              .getLong("id");
      Path secret = tmp.resolve("passphrase.txt");
      Files.writeString(secret, "correct horse battery staple\n");
      Path state = tmp.resolve("worker-state");
      String token = console.newToken();
      long machine;
      long image;
      try (WorkerProcess worker =
          WorkerProcess.start(
              List.of(),
              List.of("--passphrase-file", secret.toString()),
              app.baseUrl(),
              token,
              state,
              "vault-host",
              Fixtures.gptDisk())) {
        machine = console.awaitMachine("vault-host");
        long plan =
            ((Number)
                    console
                        .as()
                        .body(
                            """
                            {"name":"Into the vault","machine":%d,"repository":%d,
                             "schedule":"0 2 * * *","timeZone":"UTC"}
                            """
                                .formatted(machine, repo))
                        .post("/api/v1/plans")
                        .then()
                        .statusCode(201)
                        .extract()
                        .path("id"))
                .longValue();
        JsonPath backup =
            console.runJob(
                "/api/v1/plans/" + plan + "/run", "{}", Duration.ofSeconds(120), worker::log);
        image = backup.getLong("imageId");
        // the worker made it encrypted: its key opens only with the worker's passphrase
        assertThat(Files.readString(vault.resolve("config.json"))).contains("\"encryption\"");
        assertThatThrownBy(() -> Repository.open(vault, null))
            .isInstanceOf(EngineException.class)
            .hasMessageContaining("encrypted");
        assertThatThrownBy(() -> Repository.open(vault, "wrong".toCharArray()))
            .isInstanceOf(EngineException.class);
        assertThat(
                Repository.open(vault, "correct horse battery staple".toCharArray())
                    .listManifests())
            .hasSize(1);
        console.runJob(
            "/api/v1/jobs/verify",
            "{\"image\":" + image + "}",
            Duration.ofSeconds(60),
            worker::log);
        assertThat(console.get("/api/v1/images/" + image).getString("verifyStatus"))
            .isEqualTo("sound");
        Path restored = tmp.resolve("restored.img");
        console.restore(image, machine, restored, null, worker::log);
        assertThat(Tools.run("sgdisk", "-v", restored.toString()).output())
            .contains("No problems found");
        Fixtures.assertSameWhereUsed(Fixtures.gptDisk(), restored);
      }

      // the same worker started without its passphrase: the job fails and says what to do
      try (WorkerProcess bare =
          WorkerProcess.start(app.baseUrl(), null, state, "vault-host", Fixtures.gptDisk())) {
        JsonPath verify =
            console.awaitJobEnd(
                console.post("/api/v1/jobs/verify", "{\"image\":" + image + "}"),
                Duration.ofSeconds(60));
        assertThat(verify.getString("state")).as(bare.log()).isEqualTo("FAILED");
        assertThat(verify.getString("error"))
            .contains("is encrypted and worker vault-host has no passphrase")
            .contains("--passphrase-file");
      }
    }
  }
}
