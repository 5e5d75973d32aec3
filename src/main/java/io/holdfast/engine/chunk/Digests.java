package io.holdfast.engine.chunk;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Chunk ids: lowercase hex SHA-256 of the chunk's plain content. */
public final class Digests {

  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(Digests::newSha256);

  private Digests() {}

  public static String sha256(byte[] data, int off, int len) {
    MessageDigest md = SHA256.get();
    md.reset();
    md.update(data, off, len);
    return HexFormat.of().formatHex(md.digest());
  }

  public static boolean isValid(String digest) {
    if (digest == null || digest.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = digest.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }

  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
