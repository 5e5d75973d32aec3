package io.holdfast.engine.store;

/**
 * The repository's {@code config.json}: fixed when the repository is created.
 *
 * @param created ISO-8601 instant
 * @param format repository format version, {@value Repository#FORMAT}
 * @param chunkSize bytes per chunk (a power of two from 64 KiB to 16 MiB)
 * @param encryption how the data key is protected, or null for an unencrypted repository
 */
public record RepositoryConfig(
    int format, String id, String created, int chunkSize, Encryption encryption) {

  /**
   * The data key, wrapped with a key derived from the passphrase.
   *
   * @param cipher always {@code aes-256-gcm}
   * @param kdf always {@code pbkdf2-hmac-sha256}
   */
  public record Encryption(
      String cipher, String kdf, int iterations, String salt, String nonce, String wrappedKey) {}
}
