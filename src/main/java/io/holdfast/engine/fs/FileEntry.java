package io.holdfast.engine.fs;

import java.time.Instant;

/**
 * A file, folder or link as a filesystem in an image records it.
 *
 * @param path where it is, from the filesystem's root: {@code /etc/hosts}; {@code /} for the root
 * @param size the file's length in bytes (a link's: its target's length; a folder's: 0)
 * @param modified when its content last changed, or null where the filesystem has no such time
 * @param mode the POSIX permission bits (ext2/3/4), or null for filesystems without them
 * @param uid the owner, or -1 where the filesystem records none
 * @param gid the group, or -1
 * @param link a symbolic link's target; null for anything else
 * @param ref the filesystem's own number for it (an inode, an MFT record, a first cluster)
 * @param names how many folder entries name the same file (its hard links); 1 where the filesystem
 *     has no hard links. Two entries of a tree with the same {@code ref} and more than one name are
 *     the same file.
 */
public record FileEntry(
    String path,
    Kind kind,
    long size,
    Instant modified,
    Integer mode,
    int uid,
    int gid,
    String link,
    long ref,
    int names) {

  public enum Kind {
    FILE,
    DIRECTORY,
    LINK,
    /** a device node, FIFO or socket: listed, never copied out */
    SPECIAL
  }

  /** The last part of the path; "/" for the root. */
  public String name() {
    int slash = path.lastIndexOf('/');
    return path.equals("/") ? "/" : path.substring(slash + 1);
  }

  /** A file that has other names too: copy it once and link the rest to that copy. */
  public boolean isHardLinked() {
    return kind == Kind.FILE && names > 1;
  }

  public boolean isDirectory() {
    return kind == Kind.DIRECTORY;
  }

  /** The path of a child called {@code name}. */
  String child(String name) {
    return path.equals("/") ? "/" + name : path + "/" + name;
  }
}
