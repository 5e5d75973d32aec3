package io.holdfast.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash chain over audit events. A row's hash is SHA-256 over the previous row's hash and each
 * of its fields, every field length-prefixed so that no two different rows hash alike.
 */
final class AuditChain {

  /** The "previous hash" of the first event. */
  static final String GENESIS = "0".repeat(64);

  private AuditChain() {}

  static String hash(AuditEvent e) {
    MessageDigest sha = sha256();
    field(sha, e.prevHash);
    field(sha, e.occurredAt.toString());
    field(sha, e.actor);
    field(sha, e.action);
    field(sha, e.objectType);
    field(sha, e.objectId);
    field(sha, e.outcome);
    field(sha, e.sourceIp);
    field(sha, e.userAgent);
    field(sha, e.details);
    return HexFormat.of().formatHex(sha.digest());
  }

  private static void field(MessageDigest sha, String value) {
    if (value == null) {
      sha.update(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    int n = bytes.length;
    sha.update(new byte[] {(byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    sha.update(bytes);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
