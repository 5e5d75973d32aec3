package io.holdfast.repositories;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Room on the filesystem that holds a repository: what an admin checks first when backups start
 * failing. A repository folder not made yet (no backup so far) is measured on the nearest folder
 * above it that exists, where it will be made.
 *
 * @param usable bytes a new backup can still write there
 * @param total the filesystem's size
 */
public record RepositorySpace(long usable, long total) {

  /** Below this share free, the console warns: a full backup may not fit any more. */
  static final double LOW = 0.10;

  public boolean low() {
    return total > 0 && usable < total * LOW;
  }

  /** The space where {@code path} is or will be; null when no part of it can be read. */
  public static RepositorySpace of(Path path) {
    Path p = path.toAbsolutePath();
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    if (p == null) {
      return null;
    }
    try {
      FileStore store = Files.getFileStore(p);
      return new RepositorySpace(store.getUsableSpace(), store.getTotalSpace());
    } catch (IOException | SecurityException e) {
      return null;
    }
  }
}
