package io.holdfast.engine.fs;

import io.holdfast.engine.EngineException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The files of an LVM2 physical volume: each logical volume on it whose filesystem can be read is a
 * folder of the root, named as the volume is, and holds that filesystem's files ({@code
 * /root/etc/hosts} is {@code /etc/hosts} in logical volume {@code root}). This is how the servers
 * most installers set up (Red Hat's XFS and Ubuntu's ext4 on LVM) keep their files.
 *
 * <p>Logical volumes that are not one plain window on this physical volume (striped, thin, hidden,
 * or partly on another disk), and ones holding swap or no known filesystem, are not listed. When no
 * volume is left, opening says what each one is.
 */
final class LvmFiles extends FileTree {

  private final Map<String, FileTree> volumes = new LinkedHashMap<>();

  /** The logical volumes left out, each with what it is or why it cannot be read. */
  private final Map<String, String> left = new LinkedHashMap<>();

  LvmFiles(Region pv, int labelSector) throws FilesystemException {
    for (Lvm.Volume v : Lvm.read(pv, labelSector).volumes()) {
      if (v.unreadable() != null) {
        left.put(v.name(), v.unreadable());
        continue;
      }
      try {
        volumes.put(v.name(), FileTree.open(pv.pieces(v.pieces()), false));
      } catch (EngineException | FilesystemException e) {
        left.put(v.name(), reason(pv, v));
      }
    }
    if (volumes.isEmpty()) {
      throw new FilesystemException(
          "no logical volume on this LVM physical volume holds files that can be listed"
              + (left.isEmpty() ? "" : ": " + leftOut()));
    }
  }

  /** What a volume whose files cannot be listed holds, as the used-block probe names it. */
  private static String reason(Region pv, Lvm.Volume v) {
    UsedBlocks.Probe probe = new UsedBlocks.Probe();
    try {
      return probe.run(pv.pieces(v.pieces()), false) ? probe.fs : "no known filesystem";
    } catch (FilesystemException | RuntimeException e) {
      return probe.fs + " unreadable: " + e.getMessage();
    }
  }

  @Override
  public String filesystem() {
    return "lvm2";
  }

  @Override
  public FileEntry root() {
    return new FileEntry("/", FileEntry.Kind.DIRECTORY, 0, null, null, -1, -1, null, -1, 1);
  }

  @Override
  String filesystemAt(FileEntry at) {
    String name = volumeOf(at);
    return name == null
        ? "LVM physical volume"
        : volumes.get(name).filesystem() + " filesystem of logical volume " + name;
  }

  private String leftOut() {
    List<String> out = new ArrayList<>();
    left.forEach((name, why) -> out.add(name + " (" + why + ")"));
    return String.join(", ", out);
  }

  @Override
  String missing(FileEntry at, String name) {
    if (!at.path().equals("/")) {
      return super.missing(at, name);
    }
    String why = left.get(name);
    return why != null
        ? "The files of logical volume " + name + " cannot be listed: " + why + "."
        : "There is no logical volume "
            + name
            + " here; the logical volumes with files are "
            + String.join(", ", volumes.keySet())
            + ".";
  }

  @Override
  boolean ignoresCaseAt(FileEntry at) {
    String name = volumeOf(at);
    return name != null && volumes.get(name).ignoresCaseAt(inVolume(at, name));
  }

  @Override
  List<FileEntry> entries(FileEntry dir) throws FilesystemException {
    String name = volumeOf(dir);
    List<FileEntry> out = new ArrayList<>();
    if (name == null) {
      for (Map.Entry<String, FileTree> v : volumes.entrySet()) {
        out.add(moved(v.getValue().root(), "/" + v.getKey()));
      }
      return out;
    }
    FileTree tree = volumes.get(name);
    for (FileEntry e : tree.entries(inVolume(dir, name))) {
      out.add(moved(e, "/" + name + e.path()));
    }
    return out;
  }

  @Override
  java.util.Map<String, byte[]> xattrs(FileEntry e) throws FilesystemException {
    String name = volumeOf(e);
    return name == null ? java.util.Map.of() : volumes.get(name).xattrs(inVolume(e, name));
  }

  @Override
  void content(FileEntry file, FileTree.Content out) throws FilesystemException {
    String name = volumeOf(file);
    if (name == null) {
      throw new FilesystemException(file.path() + " is not in a logical volume");
    }
    volumes.get(name).content(inVolume(file, name), out);
  }

  /** Each volume numbers its own files: inode 12 of one is not inode 12 of another. */
  @Override
  public Object sameFile(FileEntry e) {
    String name = e.isHardLinked() ? volumeOf(e) : null;
    return name == null ? null : name + ":" + e.ref();
  }

  /** The logical volume that holds {@code e}; null for the root. */
  private String volumeOf(FileEntry e) {
    String path = e.path();
    if (path.equals("/")) {
      return null;
    }
    int slash = path.indexOf('/', 1);
    String name = slash < 0 ? path.substring(1) : path.substring(1, slash);
    if (!volumes.containsKey(name)) {
      throw new EngineException(missing(root(), name));
    }
    return name;
  }

  /** {@code e} as its own logical volume's filesystem names it. */
  private static FileEntry inVolume(FileEntry e, String name) {
    String rest = e.path().substring(1 + name.length());
    return moved(e, rest.isEmpty() ? "/" : rest);
  }

  private static FileEntry moved(FileEntry e, String path) {
    return new FileEntry(
        path,
        e.kind(),
        e.size(),
        e.modified(),
        e.mode(),
        e.uid(),
        e.gid(),
        e.link(),
        e.ref(),
        e.names());
  }
}
