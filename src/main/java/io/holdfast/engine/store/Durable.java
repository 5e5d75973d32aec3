package io.holdfast.engine.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;

/** Crash-safe file writes: temp file, fsync, atomic rename, fsync of the directory. */
public final class Durable {

  private Durable() {}

  /** Writes {@code data} to {@code target} so that a crash leaves the old file or the new one. */
  public static void write(Path target, byte[] data) throws IOException {
    Path dir = target.getParent();
    Files.createDirectories(dir);
    Path tmp =
        dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      var buf = java.nio.ByteBuffer.wrap(data);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    move(tmp, target);
    syncDirectory(dir);
  }

  static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      // some filesystems refuse to open directories; their renames are durable on close
    }
  }

  /**
   * Makes everything written so far under {@code root} durable. One {@code syncfs} (coreutils'
   * {@code sync -f}) is far cheaper than an fsync per chunk file; where it is missing, the caller's
   * files are fsynced one by one.
   */
  public static void syncFilesystem(Path root, Iterable<Path> written) throws IOException {
    try {
      Process p =
          new ProcessBuilder("sync", "-f", root.toString()).redirectErrorStream(true).start();
      if (p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return;
      }
      p.destroyForcibly();
    } catch (IOException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
    for (Path f : written) {
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
        ch.force(true);
      }
    }
  }
}
