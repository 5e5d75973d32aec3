package io.holdfast;

import io.holdfast.platform.EmbeddedDatabase;
import io.holdfast.platform.LocalSecrets;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.nio.file.Path;

/**
 * Starts Holdfast. When no database is configured, an embedded PostgreSQL server is started first,
 * with its data under the Holdfast data folder, so that a fresh install runs with no setup at all.
 */
@QuarkusMain
public class HoldfastMain {

  public static void main(String... args) throws Exception {
    Path dataDir = LocalSecrets.dataDir();
    LocalSecrets.ensureSessionKey(dataDir);
    try (EmbeddedDatabase db = EmbeddedDatabase.startIfUnconfigured(dataDir)) {
      Quarkus.run(args);
    }
  }
}
