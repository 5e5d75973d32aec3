package io.holdfast.engine.fs;

import io.holdfast.engine.disk.Le;
import java.nio.charset.StandardCharsets;

/**
 * Linux swap (version 1, "SWAPSPACE2"): only its first page is kept, the header mkswap writes
 * (version, size, bad pages, UUID, label). The rest holds pages of processes that ran before the
 * backup and means nothing after a restore, as partclone and Clonezilla treat it; it restores as
 * zeros, which is a valid empty swap area with the same UUID, so fstab entries still match.
 *
 * <p>A swap area holding a hibernation image has another signature and is not recognised here: it
 * is imaged sector by sector.
 */
final class Swap {

  private static final byte[] SIGNATURE = "SWAPSPACE2".getBytes(StandardCharsets.US_ASCII);
  private static final int[] PAGE_SIZES = {4096, 8192, 16384, 65536};

  private Swap() {}

  /** The page size of the swap area that starts the partition, or 0 if it is none. */
  static int pageSize(Region part) throws FilesystemException {
    for (int page : PAGE_SIZES) {
      if (part.length() < 2L * page) {
        break;
      }
      byte[] sig = part.read(page - SIGNATURE.length, SIGNATURE.length);
      if (java.util.Arrays.equals(sig, SIGNATURE)) {
        return page;
      }
    }
    return 0;
  }

  static Extents usedBytes(Region part, int page) throws FilesystemException {
    byte[] header = part.read(1024, 12);
    long version = Le.u32(header, 0);
    long lastPage = Le.u32(header, 4);
    if (version != 1) {
      throw new FilesystemException("swap header version " + version + " is not 1");
    }
    if (lastPage == 0 || (lastPage + 1) * page > part.length()) {
      throw new FilesystemException("swap area of " + (lastPage + 1) + " pages does not fit");
    }
    return Extents.of(0, page);
  }
}
