package io.holdfast.engine.chunk;

import com.dynatrace.hash4j.hashing.HashValue128;
import com.dynatrace.hash4j.hashing.Hasher128;
import com.dynatrace.hash4j.hashing.Hashing;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Change detection for incremental images: a 128-bit XXH3 of a chunk's plain (masked) bytes, seeded
 * with a secret of the repository (docs/repository-format.md, "Fingerprints"). It is about five
 * times cheaper than SHA-256 here (4.5 GB/s against 0.93 GB/s per core), so an unchanged chunk
 * costs a read and this hash. It only ever answers "same as the parent image's chunk at this
 * place"; what is stored and verified is still named by SHA-256.
 */
public final class Fingerprints {

  private final Hasher128 hasher;

  private Fingerprints(long seed) {
    this.hasher = Hashing.xxh3_128(seed);
  }

  /**
   * The repository's fingerprints. The seed comes from the repository id and, when the repository
   * is encrypted, its data key, so that nobody without the repository can craft a changed chunk
   * whose fingerprint matches the old one.
   */
  public static Fingerprints forRepository(String repositoryId, byte[] dataKey) {
    MessageDigest md = Digests.newSha256();
    md.update("holdfast-fingerprint-seed:".getBytes(StandardCharsets.US_ASCII));
    md.update(repositoryId.getBytes(StandardCharsets.UTF_8));
    if (dataKey != null) {
      md.update(dataKey);
    }
    return new Fingerprints(ByteBuffer.wrap(md.digest()).getLong());
  }

  /** 32 lowercase hex digits. */
  public String of(byte[] data, int len) {
    HashValue128 h = hasher.hashBytesTo128Bits(data, 0, len);
    HexFormat hex = HexFormat.of();
    return hex.toHexDigits(h.getMostSignificantBits())
        + hex.toHexDigits(h.getLeastSignificantBits());
  }
}
