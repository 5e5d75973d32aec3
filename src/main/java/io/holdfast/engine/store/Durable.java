package io.holdfast.engine.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Crash-safe file writes: temp file, fsync, atomic rename, fsync of the directory. */
public final class Durable {

  private Durable() {}

  /** Writes {@code data} to {@code target} so that a crash leaves the old file or the new one. */
  public static void write(Path target, byte[] data) throws IOException {
    write(target, out -> out.write(data));
  }

  /** What a file is made of, written as a stream. */
  public interface Content {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * Writes what {@code content} produces to {@code target} so that a crash leaves the old file or
   * the new one, through a buffer of 64 KiB rather than whole in memory.
   */
  public static void write(Path target, Content content) throws IOException {
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
      OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 64 << 10);
      content.writeTo(out);
      out.flush();
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
   * Below this many new files, each is fsynced with its directories: a {@code syncfs} would also
   * wait for every other program's unwritten data on the filesystem (1 GB of it added 0.5 to 1.1 s
   * to an incremental backup of the bench disk that wrote 450 chunks).
   */
  static final int PER_FILE_LIMIT = 2000;

  /**
   * Makes the given new files under {@code root}, and the directory entries naming them, durable.
   * Few files are fsynced one by one (in parallel, with their directory and its parent, which may
   * be new too); many at once with one {@code syncfs} (coreutils' {@code sync -f}), far cheaper
   * than thousands of fsyncs, falling back to fsyncing each where that is missing.
   */
  public static void syncWritten(Path root, Collection<Path> written) throws IOException {
    if (written.size() <= PER_FILE_LIMIT || !syncfs(root)) {
      fsyncAll(written);
    }
  }

  /** {@code syncfs} on the filesystem holding {@code root}; false where that is unavailable. */
  static boolean syncfs(Path root) {
    try {
      Process p =
          new ProcessBuilder("sync", "-f", root.toString()).redirectErrorStream(true).start();
      if (p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return true;
      }
      p.destroyForcibly();
    } catch (IOException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    }
    return false;
  }

  private static void fsyncAll(Collection<Path> written) throws IOException {
    Set<Path> dirs = new LinkedHashSet<>();
    for (Path f : written) {
      Path dir = f.getParent();
      dirs.add(dir);
      if (dir.getParent() != null) {
        dirs.add(dir.getParent());
      }
    }
    // files first, then the directories that name them
    forEachInParallel(List.copyOf(written), Durable::fsyncFile);
    forEachInParallel(List.copyOf(dirs), Durable::syncDirectory);
  }

  private interface PathAction {
    void run(Path p) throws IOException;
  }

  private static void forEachInParallel(List<Path> paths, PathAction action) throws IOException {
    if (paths.isEmpty()) {
      return;
    }
    AtomicReference<IOException> failure = new AtomicReference<>();
    AtomicInteger next = new AtomicInteger();
    Runnable worker =
        () -> {
          for (int i = next.getAndIncrement(); i < paths.size(); i = next.getAndIncrement()) {
            try {
              action.run(paths.get(i));
            } catch (IOException e) {
              failure.compareAndSet(null, e);
            }
          }
        };
    int threads = Math.min(8, paths.size());
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      running.add(Thread.ofPlatform().daemon().name("holdfast-fsync").start(worker));
    }
    for (Thread t : running) {
      try {
        t.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while making chunks durable", e);
      }
    }
    if (failure.get() != null) {
      throw failure.get();
    }
  }

  static void fsync(Path f) throws IOException {
    fsyncFile(f);
  }

  private static void fsyncFile(Path f) throws IOException {
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
