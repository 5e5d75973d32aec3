package io.holdfast.engine.store;

import java.util.List;

/**
 * The repository's {@code config.json}: fixed when the repository is created, except for the key
 * slots of an encrypted one.
 *
 * @param created ISO-8601 instant
 * @param format repository format version, {@value Repository#FORMAT}
 * @param chunkSize bytes per chunk (a power of two from 64 KiB to 16 MiB)
 * @param encryption how the data key is protected, or null for an unencrypted repository: the first
 *     key slot
 * @param keys further key slots, each the same data key under another passphrase; null or empty
 *     when there is only the first (older engines read only {@code encryption})
 */
public record RepositoryConfig(
    int format,
    String id,
    String created,
    int chunkSize,
    Encryption encryption,
    List<Encryption> keys) {

  /**
   * The data key, wrapped with a key derived from one passphrase.
   *
   * @param cipher always {@code aes-256-gcm}
   * @param kdf always {@code pbkdf2-hmac-sha256}
   * @param label what the person who added it called it ("laptop worker"), or null
   * @param added ISO-8601 instant the slot got this passphrase, or null (slots made before engine
   *     0.8)
   */
  public record Encryption(
      String cipher,
      String kdf,
      int iterations,
      String salt,
      String nonce,
      String wrappedKey,
      String label,
      String added) {}

  /** Every key slot, the first one first; empty for an unencrypted repository. */
  List<Encryption> slots() {
    if (encryption == null) {
      return List.of();
    }
    List<Encryption> all = new java.util.ArrayList<>();
    all.add(encryption);
    if (keys != null) {
      all.addAll(keys);
    }
    return all;
  }

  /** This config with {@code slots} as its key slots (the first becomes {@code encryption}). */
  RepositoryConfig withSlots(List<Encryption> slots) {
    return new RepositoryConfig(
        format,
        id,
        created,
        chunkSize,
        slots.getFirst(),
        slots.size() == 1 ? null : List.copyOf(slots.subList(1, slots.size())));
  }
}
