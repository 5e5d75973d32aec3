package io.holdfast.engine.cli;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.Progress;
import io.holdfast.engine.Sizes;
import io.holdfast.engine.chunk.Compression;
import io.holdfast.engine.fs.FileEntry;
import io.holdfast.engine.fs.FileTree;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.manifest.ManifestCodec;
import io.holdfast.engine.ops.CollectGarbage;
import io.holdfast.engine.ops.CreateImage;
import io.holdfast.engine.ops.ExportImage;
import io.holdfast.engine.ops.ExtractFiles;
import io.holdfast.engine.ops.ImageFiles;
import io.holdfast.engine.ops.PruneImages;
import io.holdfast.engine.ops.RecompressPacks;
import io.holdfast.engine.ops.RestoreImage;
import io.holdfast.engine.ops.Retention;
import io.holdfast.engine.ops.SelfTest;
import io.holdfast.engine.ops.VerifyImages;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code holdfast-worker image <command>}: the engine on the command line, for admins rescuing data
 * without the console, and for the benchmark. Exit status: 0 done, 1 verify found damage or extract
 * could not copy every file, 2 the command could not run (the message says why).
 */
public final class ImageCli {

  static final String USAGE =
      """
      usage: holdfast-worker image <command> [options]

        init    --repo DIR [--chunk-size 256K] [--encrypt]
        create  --repo DIR --machine NAME --disk PATH[=NAME][@PART,PART] ... [--compression fast|balanced|strong|max|none] [--full]
        verify  --repo DIR [--image ID ...]
        restore --repo DIR --image ID --target PATH [--disk NAME] [--partition N] [--resume]
        export  --repo DIR --image ID --target PATH [--format vhdx|vhd|raw] [--disk NAME]
                [--partition N] [--split 4G]
                a disk as a VHDX (Hyper-V, Windows, qemu), a fixed VHD (Azure; padded to a
                whole MiB) or a raw file, or in numbered parts;
                without --disk, each disk of an image of several into a file named after it
        files   --repo DIR --image ID [--disk NAME] [--partition N] [--path /etc] [--recursive]
                the files of a partition's filesystem (ext2/3/4, XFS, btrfs, FAT, exFAT, NTFS; LVM
                logical volumes as folders of the root), without restoring it
        extract --repo DIR --image ID [--disk NAME] [--partition N] --path /etc/hosts --target DIR
                copy a file or folder out of an image into DIR; nothing there is overwritten
        ls      --repo DIR [--machine NAME]
        show    --repo DIR --image ID
        prune   --repo DIR --machine NAME [--keep-last N] [--keep-hourly N] [--keep-daily N]
                [--keep-weekly N] [--keep-monthly N] [--keep-yearly N] [--dry-run]
        gc      --repo DIR [--grace 24h] [--dry-run]
        recompress --repo DIR [--compression strong|max|balanced] [--budget 50G] [--dry-run]
                compress stored chunks again at a stronger level (oldest packs first)
        selftest [--dir DIR] [--keep]   image, change, verify and restore a generated disk
        key list   --repo DIR                   the passphrases (key slots) of an encrypted repository
        key add    --repo DIR --new-passphrase-file FILE [--label TEXT]
                   another passphrase for the same data (one per worker, say)
        key passwd --repo DIR --new-passphrase-file FILE
                   a new passphrase for the key you open the repository with
        key remove --repo DIR --key ID          another key's passphrase stops opening it

      Start-up: run 'java -XX:AOTCacheOutput=holdfast-worker.aot -jar holdfast-worker.jar image
      selftest' once with this jar and JDK (25+), then 'java -XX:AOTCache=holdfast-worker.aot ...'.

      common: --json (print the result as JSON)  --progress (progress lines on stderr)
      An encrypted repository's passphrase comes from HOLDFAST_REPO_PASSPHRASE or --passphrase-file FILE;
      a new one for 'key' from HOLDFAST_REPO_NEW_PASSPHRASE or --new-passphrase-file FILE.
      """;

  private final PrintStream out;
  private final PrintStream err;

  public ImageCli(PrintStream out, PrintStream err) {
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    System.exit(new ImageCli(System.out, System.err).run(args));
  }

  public int run(String[] args) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
      out.print(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    List<String> words = Arrays.asList(args);
    if (words.contains("--help") || words.contains("-h")) {
      // 'image create --help': what an admin types first at a rescue prompt
      out.print(USAGE);
      return 0;
    }
    try {
      // 'key' has a second word: key list|add|passwd|remove
      int first = args[0].equals("key") ? Math.min(2, args.length) : 1;
      Args a = Args.parse(Arrays.copyOfRange(args, first, args.length));
      return switch (args[0]) {
        case "init" -> init(a);
        case "create" -> create(a);
        case "verify" -> verify(a);
        case "restore" -> restore(a);
        case "export" -> export(a);
        case "files" -> files(a);
        case "extract" -> extract(a);
        case "ls" -> list(a);
        case "show" -> show(a);
        case "prune" -> prune(a);
        case "gc" -> gc(a);
        case "recompress" -> recompress(a);
        case "selftest" -> selftest(a);
        case "key" -> key(args.length > 1 ? args[1] : "", a);
        default -> throw new EngineException("Unknown command '" + args[0] + "'.\n" + USAGE);
      };
    } catch (EngineException e) {
      err.println("error: " + e.getMessage());
      return 2;
    } catch (OutOfMemoryError e) {
      err.println("error: " + EngineException.outOfHeap(e).getMessage());
      return 2;
    }
  }

  private int init(Args a) {
    char[] pass = a.flag("encrypt") ? passphrase(a, true) : null;
    Repository r =
        Repository.init(
            Path.of(a.required("repo")),
            (int) a.size("chunk-size", Repository.DEFAULT_CHUNK_SIZE),
            pass);
    return print(
        a,
        Map.of(
            "repository", r.root().toString(), "id", r.config().id(), "chunkSize", r.chunkSize()),
        "Created repository " + r.root() + " (chunk size " + r.chunkSize() + ")");
  }

  private int create(Args a) {
    Repository repo = open(a);
    List<CreateImage.DiskSpec> disks = new ArrayList<>();
    for (String d : a.all("disk")) {
      disks.add(diskSpec(d));
    }
    Manifest m =
        new CreateImage(repo, progress(a), Cancellation.none())
            .run(
                new CreateImage.Options(
                    a.required("machine"),
                    disks,
                    Compression.parse(a.get("compression", null)),
                    !a.flag("full"),
                    0));
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("id", m.id());
    r.put("machine", m.machine());
    r.put("parent", m.parent());
    r.put("logicalBytes", m.logicalBytes());
    r.put("usedBytes", m.usedBytes());
    r.put("storedBytes", m.storedBytes());
    r.put("imaging", m.disks().stream().map(Manifest.DiskImage::imaging).toList());
    return print(
        a,
        r,
        "Created image "
            + m.id()
            + ": "
            + m.logicalBytes()
            + " bytes logical, "
            + m.usedBytes()
            + " used, "
            + m.storedBytes()
            + " newly stored");
  }

  private int key(String what, Args a) {
    Repository repo = open(a);
    switch (what) {
      case "list" -> {
        List<Repository.KeySlot> keys = repo.keys();
        StringBuilder text = new StringBuilder();
        if (keys.isEmpty()) {
          text.append("This repository is not encrypted; it has no keys.");
        }
        for (Repository.KeySlot k : keys) {
          text.append(
              String.format(
                  Locale.ROOT,
                  "%-9s %-25s %-28s%s%n",
                  k.id(),
                  k.added() == null ? "-" : k.added(),
                  k.label() == null ? "" : k.label(),
                  k.opened() ? " (this passphrase)" : ""));
        }
        return print(a, keys, text.toString().stripTrailing());
      }
      case "add" -> {
        Repository.KeySlot k = repo.addKey(newPassphrase(a), a.get("label", null));
        return print(
            a,
            k,
            "Added key "
                + k.id()
                + ": its passphrase opens "
                + repo.root()
                + " as the others' do.");
      }
      case "passwd" -> {
        repo.changePassphrase(newPassphrase(a));
        return print(
            a,
            Map.of("changed", true),
            "Changed the passphrase: the old one no longer opens " + repo.root() + ".");
      }
      case "remove" -> {
        String id = a.required("key");
        repo.removeKey(id);
        return print(
            a,
            Map.of("removed", id),
            "Removed key " + id + ": its passphrase no longer opens " + repo.root() + ".");
      }
      default ->
          throw new EngineException(
              "'image key' needs one of list, add, passwd or remove.\n" + USAGE);
    }
  }

  private static char[] newPassphrase(Args a) {
    String file = a.get("new-passphrase-file", null);
    char[] p =
        Repository.passphrase(file == null ? null : Path.of(file), "HOLDFAST_REPO_NEW_PASSPHRASE");
    if (p == null) {
      throw new EngineException(
          "Give the new passphrase in --new-passphrase-file FILE or HOLDFAST_REPO_NEW_PASSPHRASE.");
    }
    return p;
  }

  private int selftest(Args a) {
    Path dir;
    try {
      dir =
          a.get("dir", null) != null
              ? Path.of(a.get("dir", null))
              : Files.createTempDirectory("holdfast-selftest-");
    } catch (IOException e) {
      throw new EngineException("Cannot create a scratch directory: " + e.getMessage(), e);
    }
    SelfTest test = new SelfTest(dir);
    try {
      SelfTest.Report r = test.run();
      StringBuilder text = new StringBuilder();
      for (SelfTest.Step s : r.steps()) {
        text.append(
            String.format(Locale.ROOT, "%-42s %6d ms  %s%n", s.name(), s.millis(), s.detail()));
      }
      text.append("Self-test passed (").append(dir).append(a.flag("keep") ? ", kept)" : ")");
      return print(a, r, text.toString());
    } finally {
      if (!a.flag("keep")) {
        test.clean();
      }
    }
  }

  static CreateImage.DiskSpec diskSpec(String spec) {
    String path = spec;
    List<Integer> parts = null;
    int at = path.lastIndexOf('@');
    if (at > 0) {
      parts = new ArrayList<>();
      for (String p : path.substring(at + 1).split(",")) {
        try {
          parts.add(Integer.parseInt(p.trim()));
        } catch (NumberFormatException e) {
          throw new EngineException("Partition numbers after @ must be numbers: " + spec);
        }
      }
      path = path.substring(0, at);
    }
    String name = Path.of(path).getFileName().toString();
    int eq = path.indexOf('=');
    if (eq > 0) {
      name = path.substring(eq + 1);
      path = path.substring(0, eq);
    }
    return new CreateImage.DiskSpec(Path.of(path), name, parts);
  }

  private int verify(Args a) {
    VerifyImages.Report r =
        new VerifyImages(open(a), progress(a), Cancellation.none()).run(a.all("image"));
    StringBuilder text = new StringBuilder();
    text.append("Checked ")
        .append(r.imagesChecked())
        .append(" image(s), ")
        .append(r.chunksChecked())
        .append(" chunk(s): ")
        .append(r.ok() ? "all sound" : "DAMAGE FOUND");
    for (VerifyImages.BadChunk b : r.badChunks()) {
      text.append("\n  bad chunk ")
          .append(b.digest())
          .append(": ")
          .append(b.problem())
          .append("; used by ")
          .append(b.images());
    }
    for (VerifyImages.BadManifest b : r.badManifests()) {
      text.append("\n  bad manifest ")
          .append(b.machine())
          .append('/')
          .append(b.id())
          .append(": ")
          .append(b.problem());
    }
    print(a, r, text.toString());
    return r.ok() ? 0 : 1;
  }

  private int restore(Args a) {
    String part = a.get("partition", null);
    RestoreImage.Report r =
        new RestoreImage(open(a), progress(a), Cancellation.none())
            .run(
                new RestoreImage.Options(
                    a.required("image"),
                    a.get("disk", null),
                    part == null ? null : Integer.parseInt(part),
                    Path.of(a.required("target")),
                    a.flag("resume")));
    return print(
        a,
        r,
        "Restored "
            + r.bytesTotal()
            + " bytes to "
            + a.required("target")
            + " ("
            + r.bytesWritten()
            + " written, "
            + r.bytesSkipped()
            + " already in place)"
            + (r.partitionTable() == null
                ? ""
                : "; the kernel still shows the old partitions ("
                    + r.partitionTable()
                    + "): run partprobe or reboot before using them"));
  }

  private int files(Args a) {
    FileTree tree = tree(a);
    FileEntry at = tree.find(a.get("path", "/"));
    boolean deep = a.flag("recursive");
    if (a.flag("json")) {
      List<FileEntry> found = new ArrayList<>();
      walk(tree, at, deep, found::add, new java.util.HashSet<>());
      return print(a, found, "");
    }
    DateTimeFormatter when =
        DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT).withZone(ZoneOffset.UTC);
    // printed as found: a recursive listing of a large filesystem is never held whole
    walk(
        tree,
        at,
        deep,
        e ->
            out.printf(
                Locale.ROOT,
                "%s %12d  %s  %s%s%n",
                modeText(e),
                e.size(),
                e.modified() == null ? "                " : when.format(e.modified()),
                deep || !at.isDirectory() ? e.path() : e.name(),
                e.isDirectory() ? "/" : e.link() != null ? " -> " + e.link() : ""),
        new java.util.HashSet<>());
    return 0;
  }

  /**
   * What {@code at} holds (itself, if it is no folder), folders' contents too when deep; a folder
   * that holds one of the folders above it (a damaged filesystem) is not entered again.
   */
  private static void walk(
      FileTree tree,
      FileEntry at,
      boolean deep,
      java.util.function.Consumer<FileEntry> each,
      java.util.Set<Long> above) {
    if (!at.isDirectory()) {
      each.accept(at);
      return;
    }
    if (above.size() > 1024 || !above.add(at.ref())) {
      return;
    }
    for (FileEntry e : tree.list(at)) {
      each.accept(e);
      if (deep && e.isDirectory()) {
        walk(tree, e, true, each, above);
      }
    }
    above.remove(at.ref());
  }

  /** {@code drwxr-xr-x} as ls prints it; filesystems without permissions show only the kind. */
  private static String modeText(FileEntry e) {
    char kind =
        switch (e.kind()) {
          case DIRECTORY -> 'd';
          case LINK -> 'l';
          case SPECIAL -> 's';
          case FILE -> '-';
        };
    if (e.mode() == null) {
      return kind + "         ";
    }
    StringBuilder b = new StringBuilder().append(kind);
    String rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) {
      b.append((e.mode() & (0400 >> i)) != 0 ? rwx.charAt(i) : '-');
    }
    return b.toString();
  }

  private int extract(Args a) {
    FileTree tree = tree(a);
    FileEntry what = tree.find(a.required("path"));
    ExtractFiles.Report r =
        new ExtractFiles(tree, progress(a), Cancellation.none())
            .run(what, Path.of(a.required("target")));
    if (a.flag("json")) {
      print(a, r, "");
    } else {
      out.println(
          "Copied "
              + r.files()
              + " files ("
              + Sizes.human(r.bytes())
              + (r.hardLinks() > 0 ? ", " + r.hardLinks() + " of them hard links" : "")
              + "), "
              + r.folders()
              + " folders and "
              + r.links()
              + " links"
              + (r.attributes() > 0 ? " (" + r.attributes() + " extended attributes)" : "")
              + " to "
              + r.target());
      for (String s : r.skipped()) {
        out.println("  skipped " + s);
      }
      for (String f : r.failed()) {
        err.println("  not copied " + f);
      }
    }
    return r.failed().isEmpty() ? 0 : 1;
  }

  private FileTree tree(Args a) {
    String part = a.get("partition", null);
    return ImageFiles.open(
        open(a),
        a.required("image"),
        a.get("disk", null),
        part == null ? null : Integer.parseInt(part));
  }

  private int export(Args a) {
    String part = a.get("partition", null);
    ExportImage.Report r =
        new ExportImage(open(a), progress(a), Cancellation.none())
            .run(
                new ExportImage.Options(
                    a.required("image"),
                    a.get("disk", null),
                    part == null ? null : Integer.parseInt(part),
                    ExportImage.Format.named(a.get("format", "vhdx")),
                    Path.of(a.required("target")),
                    a.size("split", 0)));
    return print(
        a,
        r,
        "Exported a disk of "
            + r.virtualBytes()
            + " bytes ("
            + r.dataBytes()
            + " bytes of data) to "
            + String.join(", ", r.files().stream().map(Path::toString).toList()));
  }

  private int list(Args a) {
    Repository repo = open(a);
    String machine = a.get("machine", null);
    List<Map<String, Object>> rows = new ArrayList<>();
    StringBuilder text =
        new StringBuilder(
            String.format(
                "%-28s %-16s %15s %15s %15s%n", "IMAGE", "MACHINE", "LOGICAL", "USED", "STORED"));
    for (Repository.ManifestRef ref : repo.listManifests()) {
      if (machine != null && !machine.equals(ref.machine())) {
        continue;
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", ref.id());
      row.put("machine", ref.machine());
      try {
        Manifest m = repo.readManifest(ref);
        row.put("created", m.created());
        row.put("logicalBytes", m.logicalBytes());
        row.put("usedBytes", m.usedBytes());
        row.put("storedBytes", m.storedBytes());
        text.append(
            String.format(
                "%-28s %-16s %15d %15d %15d%n",
                m.id(), m.machine(), m.logicalBytes(), m.usedBytes(), m.storedBytes()));
      } catch (EngineException e) {
        row.put("error", e.getMessage());
        text.append(
            String.format(
                "%-28s %-16s %s%n", ref.id(), ref.machine(), "DAMAGED: " + e.getMessage()));
      }
      rows.add(row);
    }
    return print(a, rows, text.toString().stripTrailing());
  }

  private int show(Args a) {
    Manifest m = open(a).findManifest(a.required("image"));
    Map<String, Object> r = new LinkedHashMap<>();
    r.put("id", m.id());
    r.put("machine", m.machine());
    r.put("created", m.created());
    r.put("parent", m.parent());
    r.put("disks", m.disks().stream().map(Manifest.DiskImage::summary).toList());
    return print(a, r, ManifestCodec.toText(r));
  }

  private int prune(Args a) {
    Retention keep =
        new Retention(
            a.integer("keep-last"),
            a.integer("keep-hourly"),
            a.integer("keep-daily"),
            a.integer("keep-weekly"),
            a.integer("keep-monthly"),
            a.integer("keep-yearly"));
    PruneImages.Report r =
        new PruneImages(open(a))
            .run(a.required("machine"), keep, ZoneId.systemDefault(), a.flag("dry-run"));
    StringBuilder text = new StringBuilder(r.dryRun() ? "Would remove:" : "Removed:");
    r.removed().forEach(id -> text.append("\n  ").append(id));
    if (r.removed().isEmpty()) {
      text.append(" nothing");
    }
    return print(a, r, text.toString());
  }

  private int gc(Args a) {
    Duration grace = a.duration("grace", Duration.ofHours(24));
    CollectGarbage.Report r = new CollectGarbage(open(a)).run(grace, a.flag("dry-run"));
    return print(
        a,
        r,
        (r.dryRun() ? "Would delete " : "Deleted ")
            + r.chunksDeleted()
            + " unused chunk(s), "
            + r.bytesDeleted()
            + " bytes ("
            + r.packsDeleted()
            + " pack(s), "
            + r.packsRewritten()
            + " of them rewritten to keep the chunks in use); kept "
            + r.chunksKept()
            + " in use; left "
            + r.chunksSpared()
            + " unused in packs younger than "
            + grace
            + " or mostly in use"
            + r.problems().stream().map(p -> "\n" + p).reduce("", String::concat));
  }

  private int recompress(Args a) {
    Compression target = Compression.parse(a.get("compression", Compression.STRONG.id()));
    RecompressPacks.Report r =
        new RecompressPacks(open(a), progress(a), Cancellation.none())
            .run(target, a.size("budget", Long.MAX_VALUE), a.flag("dry-run"));
    String text =
        r.dryRun()
            ? "Would recompress "
                + r.packsRewritten()
                + " pack(s) holding "
                + r.bytesBefore()
                + " bytes of chunks at "
                + target.id()
            : "Recompressed "
                + r.packsRewritten()
                + " pack(s) at "
                + target.id()
                + ": "
                + r.bytesBefore()
                + " -> "
                + r.bytesAfter()
                + " bytes ("
                + r.chunksRecompressed()
                + " chunk(s) encoded anew, "
                + r.chunksCopied()
                + " copied as they were)";
    if (r.packsLeft() > 0) {
      text += "; " + r.packsLeft() + " pack(s) left for a later run (budget reached)";
    }
    return print(a, r, text + r.problems().stream().map(p -> "\n" + p).reduce("", String::concat));
  }

  private Repository open(Args a) {
    Path root = Path.of(a.required("repo"));
    char[] pass = passphrase(a, false);
    return Repository.open(root, pass);
  }

  private static char[] passphrase(Args a, boolean required) {
    String file = a.get("passphrase-file", null);
    char[] passphrase = Repository.passphrase(file == null ? null : Path.of(file));
    if (passphrase == null && required) {
      throw new EngineException(
          "--encrypt needs a passphrase in HOLDFAST_REPO_PASSPHRASE or --passphrase-file.");
    }
    return passphrase;
  }

  private Progress progress(Args a) {
    if (!a.flag("progress")) {
      return Progress.NONE;
    }
    long[] last = {0};
    return (phase, done, total) -> {
      long now = System.nanoTime();
      synchronized (last) {
        if (now - last[0] > 1_000_000_000L || done == total) {
          last[0] = now;
          err.printf(
              Locale.ROOT,
              "%s %.1f%% (%d / %d)%n",
              phase,
              total == 0 ? 100.0 : 100.0 * done / total,
              done,
              total);
        }
      }
    };
  }

  private int print(Args a, Object json, String text) {
    out.println(a.flag("json") ? ManifestCodec.toText(json) : text);
    return 0;
  }
}
