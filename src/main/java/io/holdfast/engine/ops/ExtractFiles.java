package io.holdfast.engine.ops;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Cancelled;
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
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Copies a file or a folder out of a {@link FileTree} into a folder of this machine, with its
 * modification times, and on ext2/3/4 its permissions and (when run as root) its owners. Symbolic
 * links are made as links and never followed. A file with several names (hard links) is copied once
 * and its other names are linked to that copy, as tar and rsync -H do: it takes its space once, and
 * a change through one name shows through the others as before. Extended attributes (ACLs, file
 * capabilities, SELinux labels) of ext2/3/4, btrfs and XFS are set last, see {@link
 * AttributeWriter}. Nothing that exists is overwritten: the copy goes to a name that is free, or
 * not at all. A file that cannot be read (a damaged chunk, say) is left out and reported, and the
 * rest is copied: a person wants every file that can be had.
 */
public final class ExtractFiles {

  private static final int MAX_DEPTH = 1024;
  private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};

  /**
   * @param target where the copy went: the folder given for the root, else the file or folder made
   *     in it
   * @param files the names copied as files, hard links included
   * @param hardLinks how many of those files are further names of a file copied once
   * @param links the symbolic links made
   * @param attributes the extended attributes set (ACLs, capabilities, SELinux labels, user ones)
   * @param skipped what was not copied and why: special files, unsafe names
   * @param failed what could not be read, each with the reason; the files are not there
   */
  public record Report(
      Path target,
      long files,
      long hardLinks,
      long folders,
      long links,
      long attributes,
      long bytes,
      List<String> skipped,
      List<String> failed) {}

  private final FileTree tree;
  private final Progress progress;
  private final Cancellation cancel;
  private final boolean asRoot;
  private long total;
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong files = new AtomicLong();
  private long folders;
  private long links;
  private long hardLinks;

  /** The first name each hard-linked file was copied to, by {@link FileTree#sameFile}. */
  private final java.util.Map<Object, Path> firstName = new java.util.HashMap<>();

  /** Names copied whole: a hard link is made only to a copy that is there. */
  private final Set<Path> copied = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Further names of a hard-linked file, made once every copy is written. */
  private record Later(FileEntry entry, Path to, Path first) {}

  private final List<Later> later = new ArrayList<>();
  private final List<String> skipped = Collections.synchronizedList(new ArrayList<>());
  private final List<String> failed = Collections.synchronizedList(new ArrayList<>());

  /**
   * Files are copied on a few threads, each reading its own file's chunks, while this one walks the
   * folders; a folder's time and permissions are set once everything in it is written.
   */
  private ExecutorService copiers;

  private Semaphore inFlight;
  private final AtomicReference<RuntimeException> fatal = new AtomicReference<>();
  private final List<Runnable> folderFinish = new ArrayList<>();

  public ExtractFiles(FileTree tree, Progress progress, Cancellation cancel) {
    this(tree, progress, cancel, "setfattr");
  }

  /**
   * @param setfattr the program that sets extended attributes; tests name one that is missing
   */
  ExtractFiles(FileTree tree, Progress progress, Cancellation cancel, String setfattr) {
    this.tree = tree;
    this.progress = progress;
    this.cancel = cancel;
    this.asRoot = "root".equals(System.getProperty("user.name"));
    this.attributes = new AttributeWriter(asRoot, setfattr);
  }

  private final AttributeWriter attributes;

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
    total = measure(what, 0, new HashSet<>(), new HashSet<>());
    progress.update("copying files", 0, total);
    int threads = ChunkPool.defaultThreads();
    copiers = Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().factory());
    inFlight = new Semaphore(threads * 4);
    try {
      if (what.path().equals("/")) {
        copyFolder(what, target, 0, new HashSet<>());
        folders--; // the folder given, not one copied
      } else {
        copy(what, target, 0, new HashSet<>());
      }
    } finally {
      copiers.shutdown();
      awaitCopiers();
    }
    if (fatal.get() != null) {
      throw fatal.get();
    }
    later.forEach(this::hardLink); // before the folders' times: a new name changes a folder's
    folderFinish.forEach(Runnable::run);
    cancel.check();
    long attributesSet = attributes.apply(skipped); // last: a new owner or content clears some
    return new Report(
        target,
        files.get(),
        hardLinks,
        folders,
        links,
        attributesSet,
        done.get(),
        List.copyOf(skipped),
        List.copyOf(failed));
  }

  /**
   * Makes a further name of a file copied once; where the first copy failed, or the folder copied
   * into cannot hold hard links (FAT, say), the file is copied again instead.
   */
  private void hardLink(Later l) {
    cancel.check();
    if (copied.contains(l.first())) {
      try {
        Files.createLink(l.to(), l.first());
        hardLinks++;
        files.incrementAndGet();
        return;
      } catch (FileAlreadyExistsException x) {
        throw writeFailed(l.to(), x);
      } catch (IOException | UnsupportedOperationException x) {
        // no hard links here: a copy of its own
      }
    }
    total += l.entry().size();
    copyFileNow(l.entry(), l.to());
  }

  private void awaitCopiers() {
    boolean interrupted = false;
    while (true) {
      try {
        if (copiers.awaitTermination(1, TimeUnit.HOURS)) {
          break;
        }
      } catch (InterruptedException e) {
        interrupted = true;
        cancel.cancel();
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** The bytes of the files under {@code e}, for the progress bar. */
  private long measure(FileEntry e, int depth, Set<Long> above, Set<Object> linked) {
    cancel.check();
    if (!e.isDirectory()) {
      Object same = tree.sameFile(e);
      if (same != null && !linked.add(same)) {
        return 0; // a further name: linked, not copied
      }
      return e.kind() == FileEntry.Kind.FILE ? e.size() : 0;
    }
    if (depth > MAX_DEPTH || !above.add(e.ref())) {
      return 0;
    }
    long sum = 0;
    try {
      for (FileEntry c : tree.list(e)) {
        sum += measure(c, depth + 1, above, linked);
      }
    } catch (Cancelled c) {
      throw c;
    } catch (EngineException unreadable) {
      // reported when the copy comes to it
    }
    above.remove(e.ref());
    return sum;
  }

  private void copy(FileEntry e, Path to, int depth, Set<Long> above) {
    cancel.check();
    switch (e.kind()) {
      case FILE -> {
        Object same = tree.sameFile(e);
        Path first = same == null ? null : firstName.putIfAbsent(same, to);
        if (first != null) {
          later.add(new Later(e, to, first));
        } else {
          copyFile(e, to);
        }
      }
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
          attributes(e, to);
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
    // after its files: writing them into it would change its time, and its mode may forbid it
    folderFinish.add(
        () -> {
          owner(dir, to);
          mode(dir, to);
          time(dir, to);
          attributes(dir, to);
        });
  }

  /** Hands a file to a copier thread, waiting while enough are on their way. */
  private void copyFile(FileEntry e, Path to) {
    RuntimeException stop = fatal.get();
    if (stop != null) {
      throw stop;
    }
    try {
      inFlight.acquire();
    } catch (InterruptedException x) {
      Thread.currentThread().interrupt();
      throw new Cancelled();
    }
    copiers.execute(
        () -> {
          try {
            copyFileNow(e, to);
          } catch (RuntimeException x) {
            fatal.compareAndSet(null, x);
          } finally {
            inFlight.release();
          }
        });
  }

  private void copyFileNow(FileEntry e, Path to) {
    long mine[] = {0};
    try (RandomAccessFile raf = newFile(to)) {
      FileChannel ch = raf.getChannel();
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
              mine[0] += len;
              progress.update("copying files", done.addAndGet(len), total);
            });
      } catch (EngineException x) {
        raf.close();
        Files.deleteIfExists(to);
        done.addAndGet(-mine[0]);
        if (x instanceof Cancelled || x.getCause() instanceof IOException) {
          throw x; // cancelled, or this machine's disk failed: the next file would fail too
        }
        failed.add(e.path() + ": " + x.getMessage());
        return;
      }
      raf.setLength(e.size()); // the holes at the end, and a file that has only holes
    } catch (IOException x) {
      throw writeFailed(to, x);
    }
    files.incrementAndGet();
    owner(e, to); // first: changing the owner clears set-user-ID and set-group-ID
    mode(e, to);
    time(e, to);
    attributes(e, to);
    copied.add(to);
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

  /**
   * The permission bits; as root, who also gives back owners, set-user-ID, set-group-ID and the
   * sticky bit too (as tar and rsync do), so that a program such as sudo or a folder such as /tmp
   * put back where it came from works as before.
   */
  private void mode(FileEntry e, Path to) {
    if (e.mode() == null) {
      return;
    }
    int mode = e.mode() & (asRoot ? 07777 : 0777);
    try {
      Files.setAttribute(to, "unix:mode", mode, NO_FOLLOW);
      return;
    } catch (IOException x) {
      skipped.add(e.path() + ": its permissions could not be set (" + x.getMessage() + ")");
      return;
    } catch (UnsupportedOperationException | IllegalArgumentException x) {
      // no unix view here: fall through to the nine bits below
    }
    // a filesystem without the unix view: the nine permission bits, where it has them
    PosixFileAttributeView view =
        Files.getFileAttributeView(to, PosixFileAttributeView.class, NO_FOLLOW);
    if (view == null) {
      return;
    }
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
    for (int i = 0; i < 9; i++) {
      if ((mode & (0400 >> i)) != 0) {
        perms.add(bits[i]);
      }
    }
    try {
      view.setPermissions(perms);
    } catch (IOException | UnsupportedOperationException x) {
      skipped.add(e.path() + ": its permissions could not be set (" + x.getMessage() + ")");
    }
  }

  /** Notes the extended attributes {@code e} has, set once everything is copied. */
  private void attributes(FileEntry e, Path to) {
    try {
      attributes.add(to, tree.attributes(e));
    } catch (EngineException x) {
      skipped.add(
          e.path() + ": its extended attributes could not be read (" + x.getMessage() + ")");
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
