package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Imaging;
import io.holdfast.engine.Progress;
import io.holdfast.engine.Tools;
import io.holdfast.engine.fs.FileEntry;
import io.holdfast.engine.fs.FileTree;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Files come out of an image without restoring it: filesystems made by mkfs.ext4, mkfs.fat and
 * mkntfs (filled by mke2fs -d, mcopy and ntfs-3g from a folder staged here) are imaged, and what
 * the engine copies out of the image is compared with the staged folder: names, kinds, bytes, link
 * targets, times and (ext) permissions.
 */
class ImageFilesTest {

  private static final Instant WHEN = Instant.parse("2024-03-05T06:07:08Z");

  @TempDir Path tmp;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "ext4; -t ext4 -b 4096",
        "ext2, block maps with double indirect blocks; -t ext2 -b 4096",
        "ext3 with 1 KiB blocks, triple indirect; -t ext3 -b 1024",
        "ext4 with inline data; -t ext4 -O inline_data",
        "ext4 without 64bit, meta_bg; -t ext4 -b 1024 -O ^64bit,meta_bg,^resize_inode",
      })
  void an_ext_filesystem_gives_back_every_file_as_staged(String variant, String mkfs)
      throws IOException {
    Path stage = stage(true);
    Path fs = tmp.resolve("fs.img");
    Files.write(fs, new byte[0]);
    try (RandomAccessFile f = new RandomAccessFile(fs.toFile(), "rw")) {
      f.setLength(96L << 20);
    }
    List<String> cmd = new ArrayList<>(List.of("mkfs.ext4", "-q", "-F"));
    cmd.addAll(List.of(mkfs.split(" ")));
    cmd.addAll(List.of("-E", "root_owner=0:0", "-d", stage.toString(), fs.toString()));
    Tools.check(cmd.toArray(String[]::new));
    // -D rebuilds the large folder as a hashed (htree) one, as a busy system's would be
    Tools.Result opt = Tools.run("e2fsck", "-fyD", fs.toString());
    assertThat(opt.exit()).as(opt.output()).isLessThanOrEqualTo(1);
    Tools.check("e2fsck", "-fn", fs.toString());
    if (variant.startsWith("ext4")) {
      assertThat(Tools.check("debugfs", "-R", "htree /many", fs.toString()).output())
          .as("the large folder is hashed")
          .contains("Root node dump");
    }

    FileTree tree = imaged(fs);
    assertThat(tree.filesystem()).isEqualTo(variant.substring(0, 4));
    assertThat(tree.list(tree.find("/many"))).hasSize(700);
    assertThat(tree.find("/etc/motd").link()).isEqualTo("hostname.conf");

    Path out = tmp.resolve("out");
    ExtractFiles.Report r =
        new ExtractFiles(tree, Progress.NONE, Cancellation.none()).run(tree.root(), out);
    assertThat(r.failed()).isEmpty();
    // lost+found is the filesystem's own; everything else is what was staged
    Files.delete(out.resolve("lost+found"));
    assertSameTree(stage, out, true);
    assertSameAttributes(stage, out);
    assertThat(r.attributes()).isEqualTo(AS_ROOT ? 4 : 3);
    assertThat(Files.size(out.resolve("data/sparse.bin"))).isEqualTo(8L << 20);
    assertThat(allocatedBytes(out.resolve("data/sparse.bin")))
        .as("a sparse file stays sparse")
        .isLessThan(1L << 20);
    assertThat(r.files()).isEqualTo(countFiles(stage));
    assertThat(r.hardLinks()).as("names linked, not copied again").isEqualTo(2);
    // the bytes read: each file once, however many names it has, and of sparse.bin only the
    // blocks that hold data
    long sparse = 8L << 20;
    assertThat(r.bytes())
        .as("a file with two names is read once")
        .isBetween(bytesOnce(stage) - sparse, bytesOnce(stage) - sparse + (64 << 10));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {"fat12; 12; 8", "fat16; 16; 32", "fat32; 32; 64"})
  void a_fat_volume_gives_back_every_file_as_staged(String fat, String bits, int mib)
      throws IOException {
    Path stage = stage(false);
    Path fs = Imaging.blank(tmp.resolve("fat.img"), mib);
    Tools.check("mkfs.fat", "-F", bits, "-n", "FILES", fs.toString());
    try (Stream<Path> top = Files.list(stage)) {
      for (Path p : top.toList()) {
        Tools.Result r =
            Tools.run(
                Map.of("TZ", "UTC", "LC_ALL", "C.UTF-8"),
                "mcopy",
                "-s",
                "-m",
                "-i",
                fs.toString(),
                p.toString(),
                "::/");
        assertThat(r.exit()).as(r.output()).isZero();
      }
    }
    Tools.check("fsck.vfat", "-n", fs.toString());

    FileTree tree = imaged(fs);
    assertThat(tree.filesystem()).isEqualTo(fat);
    assertThat(tree.find("/ETC/HOSTNAME.CONF").name())
        .as("FAT ignores case")
        .isEqualTo("hostname.conf");
    Path out = tmp.resolve("out");
    ExtractFiles.Report r =
        new ExtractFiles(tree, Progress.NONE, Cancellation.none()).run(tree.root(), out);
    assertThat(r.failed()).isEmpty();
    assertSameTree(stage, out, false);
  }

  @Test
  void an_ntfs_volume_gives_back_every_file_as_staged() throws IOException {
    Path stage = stage(false);
    hardLinks(stage);
    Path fs = Imaging.blank(tmp.resolve("ntfs.img"), 64);
    Tools.check("mkntfs", "-q", "-F", "-f", "-L", "FILES", fs.toString());
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    Tools.Result mount = Tools.run("ntfs-3g", fs.toString(), mnt.toString());
    Assumptions.assumeTrue(mount.exit() == 0, "ntfs-3g cannot mount here: " + mount.output());
    try {
      Tools.check("cp", "-r", "--preserve=timestamps,links", stage + "/.", mnt.toString());
    } finally {
      Tools.check("umount", mnt.toString());
    }
    Tools.check("ntfsfix", "-n", fs.toString());

    FileTree tree = imaged(fs);
    assertThat(tree.filesystem()).isEqualTo("ntfs");
    assertThat(tree.list(tree.find("/many")))
        .as("a folder whose index has blocks outside its MFT record")
        .hasSize(700);
    Path out = tmp.resolve("out");
    ExtractFiles.Report r =
        new ExtractFiles(tree, Progress.NONE, Cancellation.none()).run(tree.root(), out);
    assertThat(r.failed()).isEmpty();
    assertSameTree(stage, out, false);
  }

  @Test
  void an_xfs_filesystem_gives_back_every_file_as_staged() throws IOException {
    Path stage = stage(true);
    // 2,000 islands: more extents than the inode holds, so its block map becomes a B+tree
    byte[] island = new byte[4096];
    new Random(11).nextBytes(island);
    try (RandomAccessFile f =
        new RandomAccessFile(stage.resolve("data/islands.bin").toFile(), "rw")) {
      for (int i = 0; i < 2000; i++) {
        f.seek(i * 65536L);
        f.write(island);
      }
    }
    for (Path p : List.of(stage.resolve("data/islands.bin"), stage.resolve("data"))) {
      Files.getFileAttributeView(p, java.nio.file.attribute.BasicFileAttributeView.class)
          .setTimes(FileTime.from(WHEN), null, null);
    }
    Path fs = Imaging.blank(tmp.resolve("xfs.img"), 320);
    Tools.check("mkfs.xfs", "-q", "-f", fs.toString());
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    Tools.Result mount = Tools.run("mount", "-o", "loop", fs.toString(), mnt.toString());
    Assumptions.assumeTrue(mount.exit() == 0, "cannot mount XFS here: " + mount.output());
    try {
      Tools.check("cp", "-a", "--sparse=always", stage + "/.", mnt.toString());
    } finally {
      Tools.check("umount", mnt.toString());
    }
    Tools.check("xfs_repair", "-n", fs.toString());
    assertThat(
            Tools.check(
                    "xfs_db",
                    "-r",
                    "-c",
                    "path /data/islands.bin",
                    "-c",
                    "print core.format",
                    fs.toString())
                .output())
        .as("the islands' block map is a B+tree")
        .contains("core.format = 3 (btree)");

    FileTree tree = xfsTree(fs);
    assertThat(tree.list(tree.find("/many"))).hasSize(700);
    assertThat(tree.find("/etc/far").link()).startsWith("/a/target/path/that/is/longer");
    Path out = tmp.resolve("out");
    ExtractFiles.Report r =
        new ExtractFiles(tree, Progress.NONE, Cancellation.none()).run(tree.root(), out);
    assertThat(r.failed()).isEmpty();
    assertSameTree(stage, out, true, true);
    assertSameAttributes(stage, out);
  }

  /**
   * btrfs as Fedora lays it out: subvolumes root and home in the top level, files compressed with
   * zstd (the mount option Fedora uses) and some with zlib, a preallocated file, a nested subvolume
   * and a snapshot, which shows the nested one as an empty folder, as the kernel does.
   */
  @Test
  void a_btrfs_filesystem_gives_back_every_file_as_staged() throws IOException {
    Path stage = stage(true);
    Path fs = Imaging.blank(tmp.resolve("btrfs.img"), 256);
    Tools.check("mkfs.btrfs", "-q", "-f", fs.toString());
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    Tools.Result mount =
        Tools.run("mount", "-o", "loop,compress=zstd", fs.toString(), mnt.toString());
    Assumptions.assumeTrue(mount.exit() == 0, "cannot mount btrfs here: " + mount.output());
    byte[] numbers = Files.readAllBytes(stage.resolve("data/numbers.txt"));
    try {
      Tools.check("btrfs", "subvolume", "create", mnt.resolve("root").toString());
      Tools.check("btrfs", "subvolume", "create", mnt.resolve("home").toString());
      Tools.check("cp", "-a", "--sparse=always", stage + "/.", mnt.resolve("root").toString());
      Path zlib = Files.createDirectories(mnt.resolve("home/zlib"));
      Tools.check("btrfs", "property", "set", zlib.toString(), "compression", "zlib");
      Files.write(zlib.resolve("numbers.txt"), numbers);
      Path lzo = Files.createDirectories(mnt.resolve("home/lzo"));
      Tools.check("btrfs", "property", "set", lzo.toString(), "compression", "lzo");
      Files.write(lzo.resolve("numbers.txt"), numbers);
      Files.write(lzo.resolve("inline.txt"), Arrays.copyOf(numbers, 1800)); // kept in the leaf
      Tools.check("fallocate", "-l", "3M", mnt.resolve("home/reserved.bin").toString());
      Tools.check("btrfs", "subvolume", "create", mnt.resolve("home/nested").toString());
      Files.writeString(mnt.resolve("home/nested/inside.txt"), "nested\n");
      Tools.check(
          "btrfs",
          "subvolume",
          "snapshot",
          mnt.resolve("home").toString(),
          mnt.resolve("home-snapshot").toString());
      Tools.check("sync");
      assertThat(
              Tools.check("filefrag", "-v", mnt.resolve("root/data/numbers.txt").toString())
                  .output())
          .as("zstd-compressed extents")
          .contains("encoded");
      assertThat(Tools.check("filefrag", "-v", zlib.resolve("numbers.txt").toString()).output())
          .as("zlib-compressed extents")
          .contains("encoded");
      assertThat(Tools.check("filefrag", "-v", lzo.resolve("numbers.txt").toString()).output())
          .as("LZO-compressed extents")
          .contains("encoded");
    } finally {
      Tools.check("umount", mnt.toString());
    }
    Tools.check("btrfs", "check", "--readonly", fs.toString());

    FileTree tree = imaged(fs);
    assertThat(tree.filesystem()).isEqualTo("btrfs");
    assertThat(tree.list(tree.root()))
        .extracting(FileEntry::name)
        .containsExactly("home", "home-snapshot", "root");
    assertThat(tree.list(tree.find("/root/many"))).hasSize(700);
    assertThat(tree.find("/root/etc/far").link()).startsWith("/a/target/path/that/is/longer");
    assertThat(tree.list(tree.find("/home-snapshot/nested")))
        .as("as the kernel shows it")
        .isEmpty();
    assertThat(tree.find("/home-snapshot/zlib/numbers.txt").size()).isEqualTo(numbers.length);

    Path out = tmp.resolve("out");
    ExtractFiles.Report r =
        new ExtractFiles(tree, Progress.NONE, Cancellation.none()).run(tree.root(), out);
    assertThat(r.failed()).isEmpty();
    assertSameTree(stage, out.resolve("root"), true, true);
    assertSameAttributes(stage, out.resolve("root"));
    for (String copy : List.of("home", "home-snapshot")) {
      assertThat(Files.readAllBytes(out.resolve(copy + "/zlib/numbers.txt"))).isEqualTo(numbers);
      assertThat(Files.readAllBytes(out.resolve(copy + "/lzo/numbers.txt"))).isEqualTo(numbers);
      assertThat(Files.readAllBytes(out.resolve(copy + "/lzo/inline.txt")))
          .isEqualTo(Arrays.copyOf(numbers, 1800));
      assertThat(Files.readAllBytes(out.resolve(copy + "/reserved.bin")))
          .isEqualTo(new byte[3 << 20]);
    }
    assertThat(Files.readString(out.resolve("home/nested/inside.txt"))).isEqualTo("nested\n");
  }

  /**
   * XFS v4 (RHEL 7 and its kind): kernels here no longer mount it, so mkfs.xfs fills it from a
   * protofile, which keeps names, kinds, modes, bytes and link targets but not times.
   */
  @Test
  void an_xfs_v4_filesystem_gives_back_every_file_as_staged() throws IOException {
    Path stage = stage(true);
    // a protofile splits at spaces
    Files.delete(stage.resolve("Long name with spaces and Ünïcode.txt"));
    // nor can it give one file two names
    Files.delete(stage.resolve("etc/hostname-too.conf"));
    Files.delete(stage.resolve("a/b/big-too.bin"));
    StringBuilder proto = new StringBuilder("/dev/null\n0 0\nd--755 0 0\n");
    protoLines(stage, proto);
    proto.append("$\n");
    Path protoFile = Files.writeString(tmp.resolve("proto"), proto);
    Path fs = Imaging.blank(tmp.resolve("xfs4.img"), 320);
    Tools.check("mkfs.xfs", "-q", "-f", "-m", "crc=0", "-p", protoFile.toString(), fs.toString());
    Tools.check("xfs_repair", "-n", fs.toString());
    FileTree tree = xfsTree(fs);
    assertThat(tree.list(tree.find("/many"))).hasSize(700);
    Path out = tmp.resolve("out");
    ExtractFiles.Report r =
        new ExtractFiles(tree, Progress.NONE, Cancellation.none()).run(tree.root(), out);
    assertThat(r.failed()).isEmpty();
    assertSameTree(stage, out, true, false);
  }

  private FileTree xfsTree(Path fs) {
    FileTree tree = imaged(fs);
    assertThat(tree.filesystem()).isEqualTo("xfs");
    return tree;
  }

  /** {@code fs} imaged whole into a new repository, and its files as the image holds them. */
  private FileTree imaged(Path fs) {
    Manifest m = Imaging.image(tmp.resolve("repo"), fs);
    FileTree tree = ImageFiles.open(Repository.open(tmp.resolve("repo"), null), m.id(), null, null);
    assertThat(ImageFiles.listable(Imaging.imaging(m).filesystem()))
        .as("the console offers %s for file restores", Imaging.imaging(m).filesystem())
        .isTrue();
    return tree;
  }

  /** mkfs.xfs protofile lines for what {@code dir} holds. */
  private static void protoLines(Path dir, StringBuilder b) throws IOException {
    List<Path> children;
    try (Stream<Path> s = Files.list(dir)) {
      children = s.sorted().toList();
    }
    for (Path c : children) {
      String name = c.getFileName().toString();
      if (Files.isSymbolicLink(c)) {
        b.append(name).append(" l--777 0 0 ").append(Files.readSymbolicLink(c)).append('\n');
        continue;
      }
      int bits = mode(c);
      // type, set-user-ID, set-group-ID, then the nine bits in octal
      String mode =
          ((bits & 04000) != 0 ? "u" : "-")
              + ((bits & 02000) != 0 ? "g" : "-")
              + Integer.toOctalString(bits & 0777);
      if (Files.isDirectory(c)) {
        b.append(name).append(" d").append(mode).append(" 0 0\n");
        protoLines(c, b);
        b.append("$\n");
      } else {
        b.append(name).append(" -").append(mode).append(" 0 0 ").append(c).append('\n');
      }
    }
  }

  @Test
  void an_exfat_volume_gives_back_every_file_as_staged() throws IOException {
    Path stage = stage(false);
    Path fs = Imaging.blank(tmp.resolve("exfat.img"), 64);
    Tools.check("mkfs.exfat", "-c", "4K", fs.toString());
    Tools.Result attach = Tools.run("losetup", "-f", "--show", fs.toString());
    Assumptions.assumeTrue(
        attach.exit() == 0 && Files.exists(Path.of("/dev/fuse")),
        "needs a loop device and FUSE: " + attach.output());
    String device = new String(attach.stdout(), StandardCharsets.US_ASCII).trim();
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    try {
      Tools.Result mount = Tools.run("mount.exfat-fuse", device, mnt.toString());
      Assumptions.assumeTrue(mount.exit() == 0, "exfat-fuse cannot mount here: " + mount.output());
      try {
        Tools.check("cp", "-r", "--preserve=timestamps", stage + "/.", mnt.toString());
      } finally {
        Tools.check("umount", mnt.toString());
      }
    } finally {
      Tools.run("losetup", "-d", device);
    }
    Tools.check("fsck.exfat", "-n", fs.toString());

    FileTree tree = imaged(fs);
    assertThat(tree.filesystem()).isEqualTo("exfat");
    assertThat(tree.list(tree.find("/MANY"))).as("exFAT ignores case").hasSize(700);
    Path out = tmp.resolve("out");
    ExtractFiles.Report r =
        new ExtractFiles(tree, Progress.NONE, Cancellation.none()).run(tree.root(), out);
    assertThat(r.failed()).isEmpty();
    assertSameTree(stage, out, false);
  }

  @Test
  void an_ntfs_file_whose_attributes_outgrew_its_mft_record_comes_back_whole() throws IOException {
    Path fs = Imaging.blank(tmp.resolve("frag.img"), 48);
    Tools.check("mkntfs", "-q", "-F", "-f", "-c", "4096", fs.toString());
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    Tools.Result mount = Tools.run("ntfs-3g", fs.toString(), mnt.toString());
    Assumptions.assumeTrue(mount.exit() == 0, "ntfs-3g cannot mount here: " + mount.output());
    byte[] island = new byte[4096];
    new Random(7).nextBytes(island);
    long length = 1999L * 65536 + 4096;
    try {
      // 2,000 islands of data in a sparse file: 4,000 runs, in a dozen MFT records
      try (java.nio.channels.FileChannel ch =
          java.nio.channels.FileChannel.open(
              mnt.resolve("fragmented.bin"),
              java.nio.file.StandardOpenOption.CREATE_NEW,
              java.nio.file.StandardOpenOption.WRITE)) {
        for (int i = 0; i < 2000; i++) {
          ch.write(java.nio.ByteBuffer.wrap(island), i * 65536L);
        }
      }
      // a folder of 4,000 names, half deleted: its index too outgrows one record
      Path small = Files.createDirectories(mnt.resolve("small"));
      for (int i = 0; i < 4000; i++) {
        Files.write(small.resolve("s" + i), new byte[4096]); // clusters between index blocks
      }
      for (int i = 0; i < 4000; i += 2) {
        Files.delete(small.resolve("s" + i));
      }
    } finally {
      Tools.check("umount", mnt.toString());
    }
    Tools.check("ntfsfix", "-n", fs.toString());
    for (String path : List.of("/fragmented.bin", "/small")) {
      assertThat(Tools.run("ntfsinfo", "-F", path, fs.toString()).output())
          .as("ntfs-3g gave %s an attribute list", path)
          .contains("$ATTRIBUTE_LIST");
    }

    FileTree tree = imaged(fs);
    assertThat(tree.find("/fragmented.bin").size()).isEqualTo(length);
    assertThat(tree.list(tree.find("/small")))
        .hasSize(2000)
        .allMatch(e -> Integer.parseInt(e.name().substring(1)) % 2 == 1);
    Path out = tmp.resolve("out");
    ExtractFiles.Report r =
        new ExtractFiles(tree, Progress.NONE, Cancellation.none())
            .run(tree.find("/fragmented.bin"), out);
    assertThat(r.failed()).isEmpty();
    byte[] got = Files.readAllBytes(out.resolve("fragmented.bin"));
    assertThat(got).hasSize((int) length);
    for (int i = 0; i < 2000; i++) {
      assertThat(java.util.Arrays.copyOfRange(got, i * 65536, i * 65536 + 4096))
          .as("island %d", i)
          .isEqualTo(island);
      if (i < 1999) {
        assertThat(java.util.Arrays.copyOfRange(got, i * 65536 + 4096, (i + 1) * 65536))
            .as("the hole after island %d", i)
            .isEqualTo(new byte[65536 - 4096]);
      }
    }
  }

  @Test
  void ntfs_compressed_files_are_decompressed_on_the_way_out() throws IOException {
    Path fs = Imaging.blank(tmp.resolve("compressed.img"), 48);
    Tools.check("mkntfs", "-q", "-F", "-f", "-c", "4096", fs.toString());
    Path mnt = Files.createDirectories(tmp.resolve("mnt"));
    Tools.Result mount = Tools.run("ntfs-3g", "-o", "compression", fs.toString(), mnt.toString());
    Assumptions.assumeTrue(mount.exit() == 0, "ntfs-3g cannot mount here: " + mount.output());
    Map<String, byte[]> files = new TreeMap<>();
    Random r = new Random(3);
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 150_000; i++) {
      text.append("line ").append(i).append(" of a compressible file\n");
    }
    files.put("text.txt", text.toString().getBytes(StandardCharsets.US_ASCII));
    byte[] random = new byte[700_000];
    r.nextBytes(random);
    files.put("random.bin", random); // units that do not compress are stored as they are
    byte[] mixed = new byte[1_000_000];
    for (int i = 0; i < mixed.length; i += 200_000) {
      byte[] bit = new byte[50_000];
      r.nextBytes(bit);
      System.arraycopy(bit, 0, mixed, i, bit.length);
    }
    files.put("mixed.bin", mixed); // compressed, stored and all-zero units in one file
    files.put("small.txt", "small\n".getBytes(StandardCharsets.US_ASCII));
    try {
      Path dir = Files.createDirectories(mnt.resolve("compressed"));
      Tools.check(
          "setfattr", "-h", "-v", "0x00000810", "-n", "system.ntfs_attrib_be", dir.toString());
      for (var e : files.entrySet()) {
        Files.write(dir.resolve(e.getKey()), e.getValue());
      }
    } finally {
      Tools.check("umount", mnt.toString());
    }
    Tools.check("ntfsfix", "-n", fs.toString());
    assertThat(Tools.check("ntfsinfo", "-v", "-F", "/compressed/text.txt", fs.toString()).output())
        .as("ntfs-3g compressed the file")
        .containsPattern("Compression unit:\\s+4");

    FileTree tree = imaged(fs);
    Path out = tmp.resolve("out");
    ExtractFiles.Report rep =
        new ExtractFiles(tree, Progress.NONE, Cancellation.none())
            .run(tree.find("/compressed"), out);
    assertThat(rep.failed()).isEmpty();
    for (var e : files.entrySet()) {
      assertThat(Files.readAllBytes(out.resolve("compressed").resolve(e.getKey())))
          .as(e.getKey())
          .isEqualTo(e.getValue());
    }
  }

  @Test
  void each_partition_of_the_fixture_disk_lists_the_files_put_there() throws IOException {
    Repository repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    Manifest m =
        Imaging.imageOfDisks(repo, io.holdfast.engine.chunk.Compression.FAST, Fixtures.gptDisk());
    assertThatThrownBy(() -> ImageFiles.open(repo, m.id(), null, null))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("has partitions 1 (fat32, EFI), 2 (ext4, root), 3 (ntfs, DATA)")
        .hasMessageContaining("name the one to list");
    Map<Integer, Map<String, String>> expected =
        Map.of(
            1, Map.of("/EFI/BOOT/LOADER.EFI", "efi/LOADER.EFI", "/CONFIG.TXT", "efi/CONFIG.TXT"),
            2,
                Map.of(
                    "/etc/hostname.conf",
                    "root/etc/hostname.conf",
                    "/data/blob.bin",
                    "root/data/blob.bin"),
            3, Map.of("/report.bin", "ntfs/report.bin", "/notes.txt", "ntfs/notes.txt"));
    for (var part : expected.entrySet()) {
      FileTree tree = ImageFiles.open(repo, m.id(), null, part.getKey());
      for (var file : part.getValue().entrySet()) {
        Path out = tmp.resolve("p" + part.getKey() + file.getKey().replace('/', '_'));
        ExtractFiles.Report r =
            new ExtractFiles(tree, Progress.NONE, Cancellation.none())
                .run(tree.find(file.getKey()), out);
        assertThat(r.files()).isEqualTo(1);
        assertThat(Files.readAllBytes(r.target()))
            .as(file.getKey())
            .isEqualTo(Files.readAllBytes(Fixtures.file(file.getValue())));
      }
    }
    FileTree root = ImageFiles.open(repo, m.id(), null, 2);
    assertThat(root.list(root.root()).stream().map(FileEntry::name))
        .as("the deleted file is gone")
        .doesNotContain("deleted.bin")
        .contains("etc", "data", "lost+found");
    assertThatThrownBy(() -> root.find("/etc/nothing"))
        .isInstanceOf(EngineException.class)
        .hasMessage("There is no /etc/nothing in this ext4 filesystem.");
  }

  @Test
  void a_damaged_chunk_costs_the_files_in_it_and_nothing_else() throws IOException {
    Path stage = stage(true);
    Path fs = Imaging.blank(tmp.resolve("fs.img"), 64);
    Tools.check(
        "mkfs.ext4",
        "-q",
        "-F",
        "-b",
        "4096",
        "-E",
        "root_owner=0:0",
        "-d",
        stage.toString(),
        fs.toString());
    Manifest m = Imaging.image(tmp.resolve("repo"), fs);
    Repository repo = Repository.open(tmp.resolve("repo"), null);
    // block 300 of big.bin, found by debugfs, and the chunk that holds it
    String bmap = Tools.check("debugfs", "-R", "bmap /data/big.bin 300", fs.toString()).output();
    long block =
        Long.parseLong(bmap.lines().filter(l -> l.matches("\\d+")).findFirst().orElseThrow());
    String digest = m.disks().get(0).chunks().get((int) (block * 4096 / m.chunkSize()));
    Repository.BlobAt at = repo.locate(digest);
    try (RandomAccessFile f = new RandomAccessFile(at.pack().toFile(), "rw")) {
      long middle = at.offset() + at.length() / 2;
      f.seek(middle);
      int b = f.read();
      f.seek(middle);
      f.write(b ^ 0x40);
    }

    FileTree tree = ImageFiles.open(Repository.open(tmp.resolve("repo"), null), m.id(), null, null);
    Path out = tmp.resolve("out");
    ExtractFiles.Report r =
        new ExtractFiles(tree, Progress.NONE, Cancellation.none()).run(tree.find("/data"), out);
    assertThat(r.failed()).singleElement().asString().startsWith("/data/big.bin: ");
    assertThat(out.resolve("data/big.bin")).doesNotExist();
    assertThat(Files.readAllBytes(out.resolve("data/numbers.txt")))
        .isEqualTo(Files.readAllBytes(stage.resolve("data/numbers.txt")));

    assertThatThrownBy(
            () ->
                new ExtractFiles(tree, Progress.NONE, Cancellation.none())
                    .run(tree.find("/data"), out))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("exists already; nothing was copied");
  }

  @Test
  void a_folder_that_holds_its_own_ancestor_is_named_and_not_followed() throws IOException {
    Path stage = Files.createDirectories(tmp.resolve("loop/a/b"));
    Files.writeString(stage.resolve("inside.txt"), "inside\n");
    Path fs = Imaging.blank(tmp.resolve("loop.img"), 16);
    Tools.check("mkfs.ext4", "-q", "-F", "-d", tmp.resolve("loop").toString(), fs.toString());
    // a damaged filesystem: /a/b/up is /a itself
    Tools.check("debugfs", "-w", "-R", "link /a /a/b/up", fs.toString());
    FileTree tree = imaged(fs);
    assertThat(tree.find("/a/b/up/b/inside.txt").size()).isEqualTo(7);
    ExtractFiles.Report r =
        assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(30),
            () ->
                new ExtractFiles(tree, Progress.NONE, Cancellation.none())
                    .run(tree.find("/a"), tmp.resolve("out")));
    assertThat(r.failed())
        .containsExactly("/a/b/up: the folder contains itself (a damaged filesystem)");
    assertThat(Files.readString(tmp.resolve("out/a/b/inside.txt"))).isEqualTo("inside\n");
    assertThat(tmp.resolve("out/a/b/up")).doesNotExist();
  }

  @Test
  void into_a_folder_without_hard_links_each_name_gets_its_own_copy() throws IOException {
    Path stage = Files.createDirectories(tmp.resolve("linked/logs"));
    Files.writeString(stage.resolve("today.log"), "one line\n".repeat(1000));
    Files.createLink(stage.resolve("current.log"), stage.resolve("today.log"));
    Path fs = Imaging.blank(tmp.resolve("linked.img"), 16);
    Tools.check("mkfs.ext4", "-q", "-F", "-d", tmp.resolve("linked").toString(), fs.toString());
    FileTree tree = imaged(fs);
    assertThat(tree.find("/logs/current.log").names()).isEqualTo(2);
    // an exFAT stick: no hard links
    Path stick = Imaging.blank(tmp.resolve("stick.img"), 16);
    Tools.check("mkfs.exfat", stick.toString());
    Tools.Result attach = Tools.run("losetup", "-f", "--show", stick.toString());
    Assumptions.assumeTrue(
        attach.exit() == 0 && Files.exists(Path.of("/dev/fuse")),
        "needs a loop device and FUSE: " + attach.output());
    String device = new String(attach.stdout(), StandardCharsets.US_ASCII).trim();
    Path mnt = Files.createDirectories(tmp.resolve("stick"));
    try {
      Tools.Result mount = Tools.run("mount.exfat-fuse", device, mnt.toString());
      Assumptions.assumeTrue(mount.exit() == 0, "exfat-fuse cannot mount here: " + mount.output());
      try {
        ExtractFiles.Report r =
            new ExtractFiles(tree, Progress.NONE, Cancellation.none()).run(tree.find("/logs"), mnt);
        assertThat(r.failed()).isEmpty();
        assertThat(r.files()).isEqualTo(2);
        assertThat(r.hardLinks()).isZero();
        for (String name : List.of("today.log", "current.log")) {
          assertThat(Files.readString(mnt.resolve("logs").resolve(name)))
              .as(name)
              .isEqualTo("one line\n".repeat(1000));
        }
      } finally {
        Tools.check("umount", mnt.toString());
      }
    } finally {
      Tools.run("losetup", "-d", device);
    }
    Tools.check("fsck.exfat", "-n", stick.toString());
  }

  @Test
  void without_setfattr_user_attributes_still_come_back_and_the_others_are_named()
      throws IOException {
    Path stage = stage(true);
    Path fs = Imaging.blank(tmp.resolve("fs.img"), 64);
    Tools.check("mkfs.ext4", "-q", "-F", "-d", stage.toString(), fs.toString());
    FileTree tree = imaged(fs);
    assertThat(tree.attributes(tree.find("/etc/hostname.conf"))).containsOnlyKeys("user.comment");
    Path out = tmp.resolve("out");
    ExtractFiles.Report r =
        new ExtractFiles(tree, Progress.NONE, Cancellation.none(), "/nonexistent/setfattr")
            .run(tree.find("/data"), out);
    assertThat(r.failed()).isEmpty();
    assertThat(r.attributes()).isZero(); // user.comment is in /etc, not copied here
    assertThat(r.skipped())
        .anyMatch(
            x ->
                x.startsWith(AS_ROOT ? "3 extended attributes" : "2 extended attributes")
                    && x.contains("install the attr package"));
    assertThat(attributesUnder(out)).isEmpty();

    Path etc = tmp.resolve("etc-out");
    ExtractFiles.Report e =
        new ExtractFiles(tree, Progress.NONE, Cancellation.none(), "/nonexistent/setfattr")
            .run(tree.find("/etc"), etc);
    assertThat(e.attributes()).isEqualTo(1);
    // one file under two names (a hard link): one attribute set, seen under both
    List<String> comment = List.of("user.comment=0x7374616765642068657265");
    assertThat(attributesUnder(etc))
        .containsExactly(
            Map.entry("/etc/hostname-too.conf", comment), Map.entry("/etc/hostname.conf", comment));
  }

  @Test
  void a_cancelled_copy_stops_and_leaves_no_half_file() throws IOException {
    Path stage = stage(false);
    Path fs = Imaging.blank(tmp.resolve("fs.img"), 64);
    Tools.check("mkfs.ext4", "-q", "-F", "-d", stage.toString(), fs.toString());
    FileTree tree = imaged(fs);
    Cancellation cancel = Cancellation.none();
    Path out = tmp.resolve("out");
    assertThatThrownBy(
            () ->
                new ExtractFiles(
                        tree,
                        (phase, done, total) -> {
                          if (done > (1 << 20)) {
                            cancel.cancel();
                          }
                        },
                        cancel)
                    .run(tree.find("/data"), out))
        .isInstanceOf(io.holdfast.engine.Cancelled.class);
    try (Stream<Path> copied = Files.walk(out)) {
      for (Path p : copied.filter(Files::isRegularFile).toList()) {
        assertThat(Files.mismatch(p, stage.resolve(out.relativize(p).toString())))
            .as("%s is whole", p)
            .isEqualTo(-1L);
      }
    }
  }

  /** The folder each test puts into a filesystem; links only where the filesystem has them. */
  private Path stage(boolean links) throws IOException {
    Path s = Files.createDirectories(tmp.resolve("stage"));
    Random r = new Random(42);
    Files.createDirectories(s.resolve("etc"));
    Files.writeString(s.resolve("etc/hostname.conf"), "fixture\n");
    Path data = Files.createDirectories(s.resolve("data"));
    byte[] big = new byte[5 << 20];
    r.nextBytes(big);
    Files.write(data.resolve("big.bin"), big);
    StringBuilder numbers = new StringBuilder();
    for (int i = 0; i < 40_000; i++) {
      numbers.append(i).append('\n');
    }
    Files.writeString(data.resolve("numbers.txt"), numbers);
    Files.write(data.resolve("empty.txt"), new byte[0]);
    Files.writeString(s.resolve("Long name with spaces and Ünïcode.txt"), "ünïcode\n");
    Path deep = Files.createDirectories(s.resolve("a/b/c/d"));
    Files.writeString(deep.resolve("deep.txt"), "deep\n");
    Path many = Files.createDirectories(s.resolve("many"));
    for (int i = 0; i < 700; i++) {
      Files.writeString(many.resolve("file-number-" + i + ".txt"), "file " + i + "\n");
    }
    if (links) {
      try (RandomAccessFile f = new RandomAccessFile(data.resolve("sparse.bin").toFile(), "rw")) {
        f.setLength(8L << 20);
        f.seek(4L << 20);
        f.write("in the middle of holes".getBytes(StandardCharsets.US_ASCII));
        // data at the end too: mke2fs 1.47 with inline_data drops a file's trailing hole
        f.seek((8L << 20) - 4);
        f.write("end\n".getBytes(StandardCharsets.US_ASCII));
      }
      Files.createSymbolicLink(s.resolve("etc/motd"), Path.of("hostname.conf"));
      Files.createSymbolicLink(
          s.resolve("etc/far"),
          Path.of("/a/target/path/that/is/longer/than/sixty/bytes/so/it/lives/in/a/block"));
      Files.setPosixFilePermissions(
          s.resolve("etc/hostname.conf"), PosixFilePermissions.fromString("rw-r-----"));
      Files.setPosixFilePermissions(deep, PosixFilePermissions.fromString("rwx--x---"));
      // a program that runs as its owner, and a folder whose new files take its group
      Path tool = Files.writeString(data.resolve("setuid-tool"), "#!/bin/sh\n");
      Files.setAttribute(tool, "unix:mode", 04755);
      Path shared = Files.createDirectories(data.resolve("group-shared"));
      Files.setAttribute(shared, "unix:mode", 02770);
      hardLinks(s);
      attributes(s);
    }
    try (Stream<Path> all = Files.walk(s)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.getFileAttributeView(
                p, java.nio.file.attribute.BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
            .setTimes(FileTime.from(WHEN), null, null);
      }
    }
    return s;
  }

  /**
   * Extended attributes as a file server and a system have them: a user attribute, an access and a
   * default ACL on a shared folder (owner, user 1234 read and enter, group, mask, other), and the
   * file capability of a ping (cap_net_raw, effective).
   */
  private static void attributes(Path stage) {
    Tools.check(
        "setfattr", "-n", "user.comment", "-v", "staged here", stage + "/etc/hostname.conf");
    String acl =
        "0x02000000" // version 2, then tag, permissions, id, little-endian
            + "0100"
            + "0700"
            + "ffffffff" // owner rwx
            + "0200"
            + "0500"
            + "d2040000" // user 1234 r-x
            + "0400"
            + "0700"
            + "ffffffff" // group rwx
            + "1000"
            + "0700"
            + "ffffffff" // mask rwx
            + "2000"
            + "0000"
            + "ffffffff"; // other ---
    Tools.check(
        "setfattr", "-n", "system.posix_acl_access", "-v", acl, stage + "/data/group-shared");
    Tools.check(
        "setfattr", "-n", "system.posix_acl_default", "-v", acl, stage + "/data/group-shared");
    if (AS_ROOT) {
      Path ping = stage.resolve("data/ping");
      try {
        Files.writeString(ping, "#!/bin/sh\n");
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      // VFS_CAP_REVISION_2 with the effective bit; permitted: bit 13, CAP_NET_RAW
      Tools.check(
          "setfattr",
          "-n",
          "security.capability",
          "-v",
          "0x0100000200200000000000000000000000000000",
          ping.toString());
    }
  }

  /** The extended attributes under {@code root}, by path from it: getfattr's own dump. */
  private static Map<String, List<String>> attributesUnder(Path root) {
    String dump =
        Tools.check(
                "getfattr",
                "-R",
                "-h",
                "-d",
                "-m",
                "-",
                "-e",
                "hex",
                "--absolute-names",
                root.toString())
            .output();
    Map<String, List<String>> out = new TreeMap<>();
    String file = null;
    for (String line : dump.split("\n")) {
      if (line.startsWith("# file: ")) {
        file = line.substring(8).substring(root.toString().length());
      } else if (!line.isBlank() && file != null) {
        out.computeIfAbsent(file, k -> new ArrayList<>()).add(line);
      }
    }
    out.values().forEach(java.util.Collections::sort);
    return out;
  }

  private static void assertSameAttributes(Path expected, Path actual) {
    Map<String, List<String>> want = attributesUnder(expected);
    assertThat(want).as("what was staged").containsKeys("/etc/hostname.conf", "/data/group-shared");
    assertThat(attributesUnder(actual)).isEqualTo(want);
  }

  /** Two further names: one beside its file, one of a big file in another folder. */
  private static void hardLinks(Path stage) throws IOException {
    Files.createLink(stage.resolve("etc/hostname-too.conf"), stage.resolve("etc/hostname.conf"));
    Files.createLink(stage.resolve("a/b/big-too.bin"), stage.resolve("data/big.bin"));
  }

  /**
   * Same paths, kinds, bytes, link targets and times (to FAT's 2 s), the same names for one file
   * (hard links); modes where asked.
   */
  private static void assertSameTree(Path expected, Path actual, boolean modes) throws IOException {
    assertSameTree(expected, actual, modes, true);
  }

  private static void assertSameTree(Path expected, Path actual, boolean modes, boolean times)
      throws IOException {
    Map<String, Path> want = walk(expected);
    Map<String, Path> got = walk(actual);
    assertThat(got.keySet()).containsExactlyElementsOf(want.keySet());
    assertThat(sameFiles(got)).as("names of one file").isEqualTo(sameFiles(want));
    for (var e : want.entrySet()) {
      Path w = e.getValue();
      Path g = got.get(e.getKey());
      if (Files.isSymbolicLink(w)) {
        assertThat(Files.readSymbolicLink(g)).as(e.getKey()).isEqualTo(Files.readSymbolicLink(w));
        continue;
      }
      assertThat(Files.isDirectory(g, LinkOption.NOFOLLOW_LINKS))
          .as(e.getKey())
          .isEqualTo(Files.isDirectory(w, LinkOption.NOFOLLOW_LINKS));
      if (Files.isRegularFile(w, LinkOption.NOFOLLOW_LINKS)) {
        assertThat(Files.mismatch(w, g)).as(e.getKey()).isEqualTo(-1L);
      }
      long diff =
          Math.abs(
              Files.getLastModifiedTime(g, LinkOption.NOFOLLOW_LINKS).toMillis()
                  - Files.getLastModifiedTime(w, LinkOption.NOFOLLOW_LINKS).toMillis());
      if (times) {
        assertThat(diff).as("time of %s", e.getKey()).isLessThanOrEqualTo(2000);
      }
      if (modes) {
        // set-user-ID, set-group-ID and sticky come back only for root, who also sets owners
        int bits = AS_ROOT ? 07777 : 0777;
        assertThat(Integer.toOctalString(mode(g) & bits))
            .as("mode of %s", e.getKey())
            .isEqualTo(Integer.toOctalString(mode(w) & bits));
      }
    }
  }

  /** The names of each file that has more than one, as sorted lists. */
  private static java.util.Set<List<String>> sameFiles(Map<String, Path> tree) throws IOException {
    Map<Object, List<String>> byFile = new java.util.HashMap<>();
    for (var e : tree.entrySet()) {
      if (Files.isRegularFile(e.getValue(), LinkOption.NOFOLLOW_LINKS)) {
        Object key =
            Files.readAttributes(
                    e.getValue(),
                    java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS)
                .fileKey();
        byFile.computeIfAbsent(key, k -> new ArrayList<>()).add(e.getKey());
      }
    }
    java.util.Set<List<String>> out = new java.util.HashSet<>();
    for (List<String> names : byFile.values()) {
      if (names.size() > 1) {
        out.add(names.stream().sorted().toList());
      }
    }
    return out;
  }

  private static final boolean AS_ROOT = "root".equals(System.getProperty("user.name"));

  private static int mode(Path p) throws IOException {
    return (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
  }

  private static Map<String, Path> walk(Path root) throws IOException {
    Map<String, Path> out = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      all.filter(p -> !p.equals(root)).forEach(p -> out.put(root.relativize(p).toString(), p));
    }
    return out;
  }

  private static long countFiles(Path root) throws IOException {
    try (Stream<Path> all = Files.walk(root)) {
      return all.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).count();
    }
  }

  /** The length of every file staged, each counted once however many names it has. */
  private static long bytesOnce(Path root) throws IOException {
    Map<Object, Long> sizes = new java.util.HashMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
        var attrs =
            Files.readAttributes(
                p, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        sizes.put(attrs.fileKey(), attrs.size());
      }
    }
    return sizes.values().stream().mapToLong(Long::longValue).sum();
  }

  private static long allocatedBytes(Path p) {
    String blocks = Tools.check("stat", "-c", "%b %B", p.toString()).output().trim();
    String[] parts = blocks.split(" ");
    return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
  }
}
