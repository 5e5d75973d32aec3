package io.holdfast.engine.fs;

import io.holdfast.engine.EngineException;
import io.holdfast.engine.disk.ByteSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The files of one filesystem (ext2/3/4, XFS, btrfs, FAT12/16/32, exFAT, NTFS, or these in the
 * logical volumes of an LVM2 physical volume), read without mounting it: to list what an image
 * holds and to copy single files or folders out of it. Nothing here writes, and a damaged
 * filesystem gives an {@link EngineException} that says what is wrong and where, never another
 * exception, a hang or a huge allocation.
 */
public abstract class FileTree {

  /** The longest symbolic link target and the most entries of one folder that are believed. */
  static final int MAX_LINK = 4096;

  static final int MAX_ENTRIES = 4_000_000;

  /**
   * Pieces in which file data is read and handed on: under half a G1 region of a 256 MiB heap, so
   * that none is a humongous allocation, which a worker's heap would fill up with.
   */
  static final int PIECE = 256 * 1024;

  /** Receives a file's content, piece by piece; what it is never given are holes (zeros). */
  @FunctionalInterface
  public interface Content {
    void write(long at, byte[] bytes, int offset, int length);
  }

  /**
   * The filesystem in {@code length} bytes of {@code source} from {@code offset} (a partition, or a
   * disk formatted whole).
   *
   * @throws EngineException naming the filesystem found when it is one whose files cannot be
   *     listed, or saying that none was found
   */
  public static FileTree open(ByteSource source, long offset, long length) {
    try {
      return open(new Region(source, offset, length), true);
    } catch (FilesystemException e) {
      throw new EngineException("The filesystem cannot be read: " + e.getMessage() + ".", e);
    }
  }

  /**
   * The filesystem in {@code part}; with {@code volumes}, also an LVM2 physical volume, whose
   * logical volumes become the folders of its root.
   */
  static FileTree open(Region part, boolean volumes) throws FilesystemException {
    byte[] head = part.read(0, Math.min(4096, part.length()));
    if (Ext4.detect(head)) {
      return new Ext4Files(part, Ext4.variant(head));
    }
    if (Fat.detect(head)) {
      return new FatFiles(part);
    }
    if (Ntfs.detect(head)) {
      return new NtfsFiles(part);
    }
    if (Exfat.detect(head)) {
      return new ExfatFiles(part);
    }
    if (Xfs.detect(head)) {
      return new XfsFiles(part);
    }
    if (Btrfs.detect(part)) {
      return new BtrfsFiles(part);
    }
    int label = volumes ? Lvm.labelSector(head) : -1;
    if (label >= 0) {
      return new LvmFiles(part, label);
    }
    throw new EngineException(
        "No filesystem whose files can be listed (ext2/3/4, XFS, btrfs, FAT, exFAT, NTFS, or"
            + " these in LVM logical volumes) is there.");
  }

  /** {@code ext4}, {@code fat32}, {@code ntfs}, ... */
  public abstract String filesystem();

  public abstract FileEntry root();

  /** What folder {@code dir} holds, folders first, then by name; never "." or "..". */
  public final List<FileEntry> list(FileEntry dir) {
    if (!dir.isDirectory()) {
      throw new EngineException(dir.path() + " is not a folder.");
    }
    try {
      List<FileEntry> out = new ArrayList<>(entries(dir));
      out.sort(
          Comparator.comparing((FileEntry e) -> !e.isDirectory())
              .thenComparing(FileEntry::name, String.CASE_INSENSITIVE_ORDER)
              .thenComparing(FileEntry::name));
      return out;
    } catch (FilesystemException e) {
      throw damaged(dir, e);
    }
  }

  /**
   * What is at {@code path} ({@code /etc/hosts}; {@code /} or empty for the root). Names are
   * matched exactly, and on FAT, exFAT and NTFS, which ignore case, also ignoring case.
   */
  public final FileEntry find(String path) {
    FileEntry at = root();
    for (String name : path.split("/")) {
      if (name.isEmpty() || name.equals(".")) {
        continue;
      }
      if (!at.isDirectory()) {
        throw new EngineException(at.path() + " is not a folder, so it holds no " + name + ".");
      }
      List<FileEntry> children = list(at);
      FileEntry next = null;
      for (FileEntry e : children) {
        if (e.name().equals(name)) {
          next = e;
          break;
        }
      }
      if (next == null && ignoresCaseAt(at)) {
        for (FileEntry e : children) {
          if (e.name().equalsIgnoreCase(name)) {
            next = e;
            break;
          }
        }
      }
      if (next == null) {
        throw new EngineException(missing(at, name));
      }
      at = next;
    }
    return at;
  }

  /** Hands a file's content to {@code out}, in order, leaving out holes. */
  public final void read(FileEntry file, Content out) {
    if (file.kind() != FileEntry.Kind.FILE) {
      throw new EngineException(file.path() + " is not a file.");
    }
    try {
      content(file, out);
    } catch (FilesystemException e) {
      throw damaged(file, e);
    }
  }

  /**
   * What two names of one hard-linked file have in common and names of other files lack: equal
   * keys, the same file. Null for anything not hard-linked.
   */
  public Object sameFile(FileEntry e) {
    return e.isHardLinked() ? e.ref() : null;
  }

  boolean ignoresCase() {
    return false;
  }

  /** Whether names in folder {@code at} are matched ignoring case. */
  boolean ignoresCaseAt(FileEntry at) {
    return ignoresCase();
  }

  /**
   * Hands {@code bytes} of a file from {@code fileAt} on, which lie on the disk from {@code
   * diskAt}, to {@code out} in pieces of {@link #PIECE}.
   */
  static void copyRun(Region part, long fileAt, long diskAt, long bytes, Content out)
      throws FilesystemException {
    while (bytes > 0) {
      int n = (int) Math.min(bytes, PIECE);
      out.write(fileAt, part.read(diskAt, n), 0, n);
      fileAt += n;
      diskAt += n;
      bytes -= n;
    }
  }

  /** The kind a POSIX mode's type bits say (ext2/3/4, XFS). */
  static FileEntry.Kind kindOf(int mode) {
    return switch (mode & 0xF000) {
      case 0x4000 -> FileEntry.Kind.DIRECTORY;
      case 0x8000 -> FileEntry.Kind.FILE;
      case 0xA000 -> FileEntry.Kind.LINK;
      default -> FileEntry.Kind.SPECIAL;
    };
  }

  abstract List<FileEntry> entries(FileEntry dir) throws FilesystemException;

  /**
   * The extended attributes of {@code e}, by their full names ({@code user.comment}, {@code
   * security.capability}, {@code system.posix_acl_access}), each value as Linux's getxattr gives it
   * (POSIX ACLs in the kernel's xattr format, whatever the filesystem stores). Empty where the
   * filesystem has none or this reader does not know them.
   */
  public final java.util.Map<String, byte[]> attributes(FileEntry e) {
    try {
      return xattrs(e);
    } catch (FilesystemException x) {
      throw damaged(e, x);
    }
  }

  java.util.Map<String, byte[]> xattrs(FileEntry e) throws FilesystemException {
    return java.util.Map.of();
  }

  /** Extended attributes that one file may have at most, against a damaged filesystem. */
  static final int MAX_ATTRIBUTES = 4096;

  /** The largest value Linux lets an extended attribute have. */
  static final int MAX_ATTRIBUTE_VALUE = 65536;

  abstract void content(FileEntry file, Content out) throws FilesystemException;

  /** What to say when folder {@code at} holds nothing called {@code name}. */
  String missing(FileEntry at, String name) {
    return "There is no " + at.child(name) + " in this " + filesystemAt(at) + ".";
  }

  /** How messages name the filesystem that holds {@code at}: {@code ext4 filesystem}. */
  String filesystemAt(FileEntry at) {
    return filesystem() + " filesystem";
  }

  private EngineException damaged(FileEntry at, FilesystemException e) {
    return new EngineException(
        "The " + filesystemAt(at) + " is damaged at " + at.path() + ": " + e.getMessage() + ".", e);
  }
}
