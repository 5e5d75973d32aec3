package io.holdfast.engine.ops;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.Progress;
import io.holdfast.engine.fs.FileEntry;
import io.holdfast.engine.fs.FileTree;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Copies a file or a folder out of a {@link FileTree} into a folder of this machine, with its
 * modification times, and on ext2/3/4 its permissions and (when run as root) its owners. Symbolic
 * links are made as links and never followed. Nothing that exists is overwritten: the copy goes to
 * a name that is free, or not at all. A file that cannot be read (a damaged chunk, say) is left out
 * and reported, and the rest is copied: a person wants every file that can be had.
 */
public final class ExtractFiles {

  private static final int MAX_DEPTH = 1024;
  private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};

  /**
   * @param target where the copy went: the folder given for the root, else the file or folder made
   *     in it
   * @param skipped what was not copied and why: special files, unsafe names
   * @param failed what could not be read, each with the reason; the files are not there
   */
  public record Report(
      Path target,
      long files,
      long folders,
      long links,
      long bytes,
      List<String> skipped,
      List<String> failed) {}

  private final FileTree tree;
  private final Progress progress;
  private final Cancellation cancel;
  private final boolean asRoot;
  private long total;
  private long done;
  private long files;
  private long folders;
  private long links;
  private final List<String> skipped = new ArrayList<>();
  private final List<String> failed = new ArrayList<>();

  public ExtractFiles(FileTree tree, Progress progress, Cancellation cancel) {
    this.tree = tree;
    this.progress = progress;
    this.cancel = cancel;
    this.asRoot = "root".equals(System.getProperty("user.name"));
  }

  /**
   * Copies {@code what} into folder {@code into} (made if missing): as {@code into/<name>}, or for
   * the root, its content into {@code into}, which must then be empty.
   */
  public Report run(FileEntry what, Path into) {
    Path target;
    try {
      Files.createDirectories(into);
      if (what.path().equals("/")) {
        try (var s = Files.list(into)) {
          if (s.findAny().isPresent()) {
            throw new EngineException(
                "The folder "
                    + into
                    + " is not empty; the whole filesystem is copied only into an empty one.");
          }
        }
        target = into;
      } else {
        target = into.resolve(what.name());
        if (Files.exists(target, NO_FOLLOW)) {
          throw new EngineException(
              target + " exists already; nothing was copied. Choose another folder.");
        }
      }
    } catch (IOException e) {
      throw new EngineException("Cannot use the folder " + into + ": " + e.getMessage(), e);
    }
    total = measure(what, 0, new HashSet<>());
    progress.update("copying files", 0, total);
    if (what.path().equals("/")) {
      copyFolder(what, target, 0, new HashSet<>());
      folders--; // the folder given, not one copied
    } else {
      copy(what, target, 0, new HashSet<>());
    }
    return new Report(
        target, files, folders, links, done, List.copyOf(skipped), List.copyOf(failed));
  }

  /** The bytes of the files under {@code e}, for the progress bar. */
  private long measure(FileEntry e, int depth, Set<Long> above) {
    cancel.check();
    if (!e.isDirectory()) {
      return e.kind() == FileEntry.Kind.FILE ? e.size() : 0;
    }
    if (depth > MAX_DEPTH || !above.add(e.ref())) {
      return 0;
    }
    long sum = 0;
    try {
      for (FileEntry c : tree.list(e)) {
        sum += measure(c, depth + 1, above);
      }
    } catch (EngineException unreadable) {
      // reported when the copy comes to it
    }
    above.remove(e.ref());
    return sum;
  }

  private void copy(FileEntry e, Path to, int depth, Set<Long> above) {
    cancel.check();
    switch (e.kind()) {
      case FILE -> copyFile(e, to);
      case DIRECTORY -> {
        if (depth > MAX_DEPTH || above.contains(e.ref())) {
          failed.add(e.path() + ": the folder contains itself (a damaged filesystem)");
          return;
        }
        try {
          Files.createDirectory(to);
        } catch (IOException x) {
          throw writeFailed(to, x);
        }
        copyFolder(e, to, depth, above);
      }
      case LINK -> {
        try {
          Files.createSymbolicLink(to, Path.of(e.link()));
          links++;
          owner(e, to);
          time(e, to);
        } catch (IOException | RuntimeException x) {
          skipped.add(
              e.path()
                  + ": the link to "
                  + e.link()
                  + " could not be made ("
                  + x.getMessage()
                  + ")");
        }
      }
      case SPECIAL -> skipped.add(e.path() + ": a device, pipe, socket or reparse point");
    }
  }

  private void copyFolder(FileEntry dir, Path to, int depth, Set<Long> above) {
    if (depth > MAX_DEPTH || !above.add(dir.ref())) {
      failed.add(dir.path() + ": the folder contains itself (a damaged filesystem)");
      return;
    }
    List<FileEntry> children;
    try {
      children = tree.list(dir);
    } catch (EngineException x) {
      failed.add(dir.path() + ": " + x.getMessage());
      children = List.of();
    }
    for (FileEntry c : children) {
      String name = c.name();
      if (name.isEmpty()
          || name.equals(".")
          || name.equals("..")
          || name.contains("/")
          || name.indexOf('\0') >= 0) {
        skipped.add(c.path() + ": a name this machine cannot hold");
        continue;
      }
      copy(c, to.resolve(name), depth + 1, above);
    }
    above.remove(dir.ref());
    folders++;
    mode(dir, to);
    owner(dir, to);
    time(dir, to);
  }

  private void copyFile(FileEntry e, Path to) {
    try (RandomAccessFile raf = newFile(to)) {
      FileChannel ch = raf.getChannel();
      long before = done;
      try {
        tree.read(
            e,
            (at, bytes, off, len) -> {
              cancel.check();
              try {
                ByteBuffer b = ByteBuffer.wrap(bytes, off, len);
                long pos = at;
                while (b.hasRemaining()) {
                  pos += ch.write(b, pos);
                }
              } catch (IOException x) {
                throw writeFailed(to, x);
              }
              done += len;
              progress.update("copying files", done, total);
            });
      } catch (EngineException x) {
        if (x.getCause() instanceof IOException) {
          throw x; // this machine's disk failed: the next file would fail too
        }
        raf.close();
        Files.deleteIfExists(to);
        done = before;
        failed.add(e.path() + ": " + x.getMessage());
        return;
      }
      raf.setLength(e.size()); // the holes at the end, and a file that has only holes
    } catch (IOException x) {
      throw writeFailed(to, x);
    }
    files++;
    mode(e, to);
    owner(e, to);
    time(e, to);
  }

  private static RandomAccessFile newFile(Path to) throws IOException {
    Files.createFile(to); // fails if anything is there, a link included
    return new RandomAccessFile(to.toFile(), "rw");
  }

  private static EngineException writeFailed(Path to, IOException x) {
    String why =
        x instanceof FileAlreadyExistsException
            ? "it exists already"
            : String.valueOf(x.getMessage());
    return new EngineException("Cannot write " + to + ": " + why + ".", x);
  }

  private void mode(FileEntry e, Path to) {
    if (e.mode() == null) {
      return;
    }
    PosixFileAttributeView view =
        Files.getFileAttributeView(to, PosixFileAttributeView.class, NO_FOLLOW);
    if (view == null) {
      return;
    }
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
    for (int i = 0; i < 9; i++) {
      if ((e.mode() & (0400 >> i)) != 0) {
        perms.add(bits[i]);
      }
    }
    try {
      view.setPermissions(perms);
    } catch (IOException | UnsupportedOperationException x) {
      skipped.add(e.path() + ": its permissions could not be set (" + x.getMessage() + ")");
    }
  }

  private void owner(FileEntry e, Path to) {
    if (!asRoot || e.uid() < 0) {
      return;
    }
    try {
      Files.setAttribute(to, "unix:uid", e.uid(), NO_FOLLOW);
      Files.setAttribute(to, "unix:gid", e.gid(), NO_FOLLOW);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException x) {
      skipped.add(e.path() + ": its owner could not be set (" + x.getMessage() + ")");
    }
  }

  private static void time(FileEntry e, Path to) {
    if (e.modified() == null) {
      return;
    }
    try {
      Files.getFileAttributeView(
              to, java.nio.file.attribute.BasicFileAttributeView.class, NO_FOLLOW)
          .setTimes(FileTime.from(e.modified()), null, null);
    } catch (IOException | UnsupportedOperationException x) {
      // a time is not worth failing a copy over
    }
  }
}
