package io.holdfast.engine.store;

import io.holdfast.engine.EngineException;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/** The repository data key: random, wrapped under PBKDF2(passphrase) with AES-256-GCM. */
final class RepositoryKeys {

  static final int ITERATIONS = 600_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private RepositoryKeys() {}

  static SecretKey newDataKey() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return new SecretKeySpec(k, "AES");
  }

  static RepositoryConfig.Encryption wrap(SecretKey dataKey, char[] passphrase, String label) {
    byte[] salt = new byte[16];
    byte[] nonce = new byte[12];
    RANDOM.nextBytes(salt);
    RANDOM.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.ENCRYPT_MODE,
          derive(passphrase, salt, ITERATIONS),
          new GCMParameterSpec(128, nonce));
      byte[] wrapped = c.doFinal(dataKey.getEncoded());
      Base64.Encoder b64 = Base64.getEncoder();
      return new RepositoryConfig.Encryption(
          "aes-256-gcm",
          "pbkdf2-hmac-sha256",
          ITERATIONS,
          b64.encodeToString(salt),
          b64.encodeToString(nonce),
          b64.encodeToString(wrapped),
          label,
          Instant.now().toString());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  /** The data key and the slot, counted from 0, that the passphrase opened. */
  record Opened(SecretKey key, int slot) {}

  /**
   * Opens the first slot the passphrase fits. Each try costs one key derivation (about half a
   * second), so a repository with many slots opens more slowly with a passphrase of a later one.
   */
  static Opened unwrapAny(List<RepositoryConfig.Encryption> slots, char[] passphrase) {
    EngineException damaged = null;
    for (int i = 0; i < slots.size(); i++) {
      try {
        return new Opened(unwrap(slots.get(i), passphrase), i);
      } catch (WrongPassphrase wrong) {
        // the next slot may be this passphrase's
      } catch (EngineException e) {
        damaged = e;
      }
    }
    if (damaged != null) {
      throw damaged;
    }
    throw new EngineException(
        slots.size() == 1
            ? "Wrong passphrase for this repository."
            : "Wrong passphrase for this repository: none of its "
                + slots.size()
                + " keys opens with it.");
  }

  /** A slot's name for people: the first 4 bytes of its salt, in hex, unique in practice. */
  static String slotId(RepositoryConfig.Encryption e) {
    try {
      byte[] salt = Base64.getDecoder().decode(e.salt());
      return HexFormat.of().formatHex(salt, 0, Math.min(4, salt.length));
    } catch (IllegalArgumentException | NullPointerException damaged) {
      return "damaged";
    }
  }

  private static final class WrongPassphrase extends EngineException {
    WrongPassphrase() {
      super("Wrong passphrase for this repository.");
    }
  }

  static SecretKey unwrap(RepositoryConfig.Encryption e, char[] passphrase) {
    if (!"aes-256-gcm".equals(e.cipher()) || !"pbkdf2-hmac-sha256".equals(e.kdf())) {
      throw new EngineException("Unsupported repository encryption " + e.cipher() + "/" + e.kdf());
    }
    if (e.iterations() < 10_000 || e.iterations() > 10_000_000) {
      throw new EngineException("Implausible key derivation iteration count in config.json");
    }
    Base64.Decoder b64 = Base64.getDecoder();
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.DECRYPT_MODE,
          derive(passphrase, b64.decode(e.salt()), e.iterations()),
          new GCMParameterSpec(128, b64.decode(e.nonce())));
      return new SecretKeySpec(c.doFinal(b64.decode(e.wrappedKey())), "AES");
    } catch (AEADBadTagException bad) {
      throw new WrongPassphrase();
    } catch (GeneralSecurityException | IllegalArgumentException ex) {
      throw new EngineException("The repository key in config.json is damaged: " + ex.getMessage());
    }
  }

  private static SecretKey derive(char[] passphrase, byte[] salt, int iterations)
      throws GeneralSecurityException {
    SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256");
    byte[] k = f.generateSecret(new PBEKeySpec(passphrase, salt, iterations, 256)).getEncoded();
    return new SecretKeySpec(k, "AES");
  }
}
