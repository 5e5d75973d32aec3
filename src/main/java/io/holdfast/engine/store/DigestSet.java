package io.holdfast.engine.store;

import java.util.HexFormat;

/**
 * A set of chunk digests in flat arrays ({@link PackIndex}'s, 50 to 56 bytes a digest), so that
 * garbage collection and verify can mark the chunks of a repository with millions of them within a
 * worker's heap (a {@code HashSet} of hex strings takes 145). Not thread-safe.
 */
public final class DigestSet {

  private static final int CLAIMED = 1;
  private final PackIndex table = new PackIndex(); // pack number 0: in the set; CLAIMED: claimed

  /** Adds a digest given as 64 hex digits; true if it was not there yet. */
  public boolean add(String digest) {
    return table.add(HexFormat.of().parseHex(digest), 0, PackFile.HEADER, 1);
  }

  /**
   * Claims a digest of the set, once: true the first time for a digest in the set, false for one
   * not in it or claimed before. Garbage collection claims each chunk in use for the first pack
   * that holds it, so that a chunk stored twice is kept once.
   */
  public boolean claim(String digest) {
    return table.setPack(HexFormat.of().parseHex(digest), CLAIMED);
  }

  public boolean contains(String digest) {
    return table.find(HexFormat.of().parseHex(digest)) != null;
  }

  public int size() {
    return table.size();
  }
}
