package io.holdfast.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The Holdfast data folder and the secrets a single-host install keeps in it. Read before Quarkus
 * starts, so only system properties and environment variables count here.
 */
public final class LocalSecrets {

  static final String DATA_DIR_PROPERTY = "holdfast.data-dir";
  static final String DATA_DIR_ENV = "HOLDFAST_DATA_DIR";
  static final String SESSION_KEY_PROPERTY = "quarkus.http.auth.session.encryption-key";
  static final String SESSION_KEY_ENV = "QUARKUS_HTTP_AUTH_SESSION_ENCRYPTION_KEY";

  private LocalSecrets() {}

  /** The data folder: {@code HOLDFAST_DATA_DIR}, else {@code ~/.holdfast}. */
  public static Path dataDir() {
    String configured = System.getProperty(DATA_DIR_PROPERTY, System.getenv(DATA_DIR_ENV));
    Path dir =
        configured == null || configured.isBlank()
            ? Path.of(System.getProperty("user.home"), ".holdfast")
            : Path.of(configured);
    System.setProperty(DATA_DIR_PROPERTY, dir.toAbsolutePath().toString());
    return dir.toAbsolutePath();
  }

  /**
   * Sign-in cookies are encrypted with this key. Keeping it in the data folder means people stay
   * signed in across a restart; a cluster sets the same key on every replica instead.
   */
  public static void ensureSessionKey(Path dataDir) {
    if (System.getProperty(SESSION_KEY_PROPERTY) != null
        || System.getenv(SESSION_KEY_ENV) != null) {
      return;
    }
    Path keyFile = dataDir.resolve("session.key");
    try {
      if (!Files.exists(keyFile)) {
        Files.createDirectories(dataDir);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        Path tmp = Files.createTempFile(dataDir, "session", ".tmp");
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(tmp, Base64.getEncoder().encodeToString(key));
        Files.move(tmp, keyFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      System.setProperty(
          SESSION_KEY_PROPERTY, Files.readString(keyFile, StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the session key in " + dataDir, e);
    }
  }
}
