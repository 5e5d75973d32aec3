package io.holdfast.engine.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Imaging;
import io.holdfast.engine.Progress;
import io.holdfast.engine.Tools;
import io.holdfast.engine.export.Vhdx;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exported disks as tools nobody here wrote read them: qemu-img opens, checks and compares the
 * VHDX, sgdisk and fsck.ext4 check what it converts back to raw.
 */
class ExportImageTest {

  @TempDir Path tmp;
  Repository repo;
  Manifest image;
  Path restored;

  @BeforeEach
  void imageTheFixtureDisk() {
    repo = Repository.init(tmp.resolve("repo"), 64 * 1024, null);
    image =
        new CreateImage(repo, Progress.NONE, Cancellation.none())
            .run(ImageRoundTripTest.options("fixture-gpt", Fixtures.gptDisk()));
    // what the image holds, as restore writes it: the reference every export is compared with
    restored = tmp.resolve("restored.img");
    ImageRoundTripTest.restore(repo, image.id(), null, restored);
  }

  @Test
  void a_disk_exported_as_vhdx_is_the_restored_disk_to_qemu_and_leaves_out_empty_blocks()
      throws IOException {
    Path vhdx = tmp.resolve("disk0.vhdx");
    ExportImage.Report r = export(null, ExportImage.Format.VHDX, vhdx, 0);

    assertThat(r.files()).containsExactly(vhdx);
    assertThat(r.virtualBytes()).isEqualTo(Files.size(Fixtures.gptDisk()));
    // the used blocks' chunks, less those that hold only zeros (they read as zeros anyway)
    assertThat(r.dataBytes()).isPositive().isLessThanOrEqualTo(image.disks().get(0).usedBytes());
    String info = Tools.check("qemu-img", "info", "--output=json", vhdx.toString()).output();
    assertThat(info)
        .contains("\"format\": \"vhdx\"")
        .contains("\"virtual-size\": " + Files.size(Fixtures.gptDisk()));
    Tools.check("qemu-img", "check", "-f", "vhdx", vhdx.toString());
    Tools.assertVhdxHolds(restored, vhdx);
    // blocks without data are left out: the file is the used part and its headers, about
    assertThat(Files.size(vhdx)).isLessThan(r.virtualBytes() / 2).isEqualTo(r.fileBytes());

    Path back = tmp.resolve("back.img");
    Tools.check("qemu-img", "convert", "-f", "vhdx", "-O", "raw", vhdx.toString(), back.toString());
    assertThat(Tools.run("sgdisk", "-v", back.toString()).output()).contains("No problems found");
  }

  @Test
  void a_disk_exported_as_fixed_vhd_is_the_restored_disk_to_qemu_padded_to_a_whole_mib()
      throws IOException {
    Path vhd = tmp.resolve("disk0.vhd");
    ExportImage.Report r = export(null, ExportImage.Format.VHD, vhd, 0);
    long size = Files.size(Fixtures.gptDisk());
    long mib = 1 << 20;
    long padded = (size + mib - 1) / mib * mib;
    assertThat(r.virtualBytes()).isEqualTo(padded);
    assertThat(Files.size(vhd)).isEqualTo(padded + 512).isEqualTo(r.fileBytes());
    // qemu recognises a fixed VHD only when told, its footer being at the end; it refuses one
    // whose footer checksum is wrong ("Incorrect header checksum")
    String info =
        Tools.check("qemu-img", "info", "-f", "vpc", "--output=json", vhd.toString()).output();
    assertThat(info).contains("\"format\": \"vpc\"").contains("\"virtual-size\": " + padded);
    assertThat(
            Tools.check(
                    "qemu-img",
                    "compare",
                    "-f",
                    "raw",
                    "-F",
                    "vpc",
                    restored.toString(),
                    vhd.toString())
                .output())
        .contains("Images are identical");
    // empty space stays a hole, as in a raw export
    assertThat(Tools.check("du", "-k", vhd.toString()).output().split("\\s")[0])
        .satisfies(k -> assertThat(Long.parseLong(k) * 1024).isLessThan(size / 2));
  }

  @Test
  void a_disk_that_is_not_a_whole_mib_exports_as_a_vhd_padded_with_zeros_that_fsck_accepts()
      throws IOException {
    // an ext4 filesystem on a bare disk of 24 MiB and 3 sectors
    Path odd = tmp.resolve("odd.img");
    long length = (24L << 20) + 3 * 512;
    try (RandomAccessFile f = new RandomAccessFile(odd.toFile(), "rw")) {
      f.setLength(length);
    }
    Tools.check("mkfs.ext4", "-q", "-F", odd.toString());
    Manifest m = Imaging.image(tmp.resolve("odd-repo"), odd);
    Path vhd = tmp.resolve("odd.vhd");
    ExportImage.Report r =
        new ExportImage(
                Repository.open(tmp.resolve("odd-repo"), null), Progress.NONE, Cancellation.none())
            .run(new ExportImage.Options(m.id(), null, null, ExportImage.Format.VHD, vhd, 0));
    assertThat(r.virtualBytes()).isEqualTo(25L << 20).isEqualTo(Files.size(vhd) - 512);
    assertThat(Tools.check("qemu-img", "info", "-f", "vpc", vhd.toString()).output())
        .contains("virtual size: 25 MiB");
    Path back = tmp.resolve("odd-back.img");
    Tools.check("qemu-img", "convert", "-f", "vpc", "-O", "raw", vhd.toString(), back.toString());
    // the disk, then zeros to the next MiB
    assertThat(Files.mismatch(odd, back)).isEqualTo(length);
    try (var in = Files.newInputStream(back)) {
      in.skipNBytes(length);
      assertThat(in.readAllBytes()).hasSize((int) ((25L << 20) - length)).containsOnly(0);
    }
    Tools.check("fsck.ext4", "-fn", back.toString());
  }

  @Test
  void vhd_refuses_a_disk_larger_than_its_readers_take() {
    assertThatThrownBy(() -> io.holdfast.engine.export.Vhd.virtualSize((2040L << 30) + 1))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("2040 GiB")
        .hasMessageContaining("vhdx");
  }

  @Test
  void one_partition_exports_as_a_disk_of_its_own_that_fsck_accepts() throws IOException {
    Path vhdx = tmp.resolve("ext4.vhdx");
    ExportImage.Report r = export(2, ExportImage.Format.VHDX, vhdx, 0);
    long length =
        image.disks().get(0).layout().partitions().stream()
            .filter(p -> p.number() == 2)
            .findFirst()
            .orElseThrow()
            .length();
    assertThat(r.virtualBytes()).isEqualTo(length);

    Path back = tmp.resolve("ext4.img");
    Tools.check("qemu-img", "convert", "-f", "vhdx", "-O", "raw", vhdx.toString(), back.toString());
    Tools.check("fsck.ext4", "-fn", back.toString());
    Path alone = tmp.resolve("ext4-restored.img");
    ImageRoundTripTest.restore(repo, image.id(), 2, alone);
    Tools.assertVhdxHolds(alone, vhdx);
  }

  @Test
  void split_parts_join_into_the_whole_file_raw_and_vhdx() throws IOException {
    long part = 16L << 20;
    Path raw = tmp.resolve("disk0.img");
    ExportImage.Report r = export(null, ExportImage.Format.RAW, raw, part);
    long size = Files.size(Fixtures.gptDisk());
    assertThat(r.files()).hasSize((int) ((size + part - 1) / part));
    assertThat(r.files().getFirst().getFileName().toString()).isEqualTo("disk0.img.001");
    for (Path p : r.files().subList(0, r.files().size() - 1)) {
      assertThat(Files.size(p)).isEqualTo(part);
    }
    Path joined = join(r.files(), tmp.resolve("joined.img"));
    assertThat(Tools.check("cmp", restored.toString(), joined.toString()).exit()).isZero();

    ExportImage.Report v = export(null, ExportImage.Format.VHDX, tmp.resolve("disk0.vhdx"), part);
    Path joinedVhdx = join(v.files(), tmp.resolve("joined.vhdx"));
    assertThat(Files.size(joinedVhdx)).isEqualTo(v.fileBytes());
    Tools.assertVhdxHolds(restored, joinedVhdx);
  }

  @Test
  void an_export_never_overwrites_and_a_damaged_chunk_leaves_no_file_behind() throws IOException {
    Path existing = tmp.resolve("taken.vhdx");
    Files.writeString(existing, "someone's file");
    assertThatThrownBy(() -> export(null, ExportImage.Format.VHDX, existing, 0))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("exists already");
    assertThat(Files.readString(existing)).isEqualTo("someone's file");

    String victim =
        image.disks().get(0).chunks().stream().filter(Objects::nonNull).findFirst().orElseThrow();
    Repository.BlobAt at = repo.locate(victim);
    try (RandomAccessFile f = new RandomAccessFile(at.pack().toFile(), "rw")) {
      long middle = at.offset() + at.length() / 2;
      f.seek(middle);
      int b = f.read();
      f.seek(middle);
      f.write(b ^ 0x40);
    }
    Path target = tmp.resolve("damaged.vhdx");
    assertThatThrownBy(() -> export(null, ExportImage.Format.VHDX, target, 0))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("CRC32C");
    try (Stream<Path> left = Files.list(tmp)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("damaged"));
    }
  }

  @Test
  void vhdx_refuses_what_the_format_cannot_hold() {
    assertThatThrownBy(() -> new Vhdx(1000, new java.util.BitSet(), java.util.UUID.randomUUID()))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("512-byte sectors");
    assertThatThrownBy(
            () ->
                new Vhdx(Vhdx.MAX_SIZE + 512, new java.util.BitSet(), java.util.UUID.randomUUID()))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("64 TiB");
  }

  @Test
  void every_disk_of_an_image_of_two_exports_to_a_file_named_after_it() throws IOException {
    Manifest two =
        Imaging.imageOfDisks(
            repo,
            io.holdfast.engine.chunk.Compression.FAST,
            Fixtures.gptDisk(),
            Fixtures.plainDisk("ext4"));
    Path dir = Files.createDirectory(tmp.resolve("out"));
    List<long[]> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<String> phases = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExportImage.Report r =
        new ExportImage(
                repo,
                (phase, done, total) -> {
                  seen.add(new long[] {done, total});
                  phases.add(phase);
                },
                Cancellation.none())
            .run(
                new ExportImage.Options(
                    two.id(), null, null, ExportImage.Format.VHDX, dir.resolve("pc.vhdx"), 0));

    Path first = dir.resolve("pc-gpt.img.vhdx");
    Path second = dir.resolve("pc-plain-ext4.img.vhdx");
    assertThat(r.files()).containsExactly(first, second);
    long both = Files.size(Fixtures.gptDisk()) + Files.size(Fixtures.plainDisk("ext4"));
    assertThat(r.virtualBytes()).isEqualTo(both);
    assertThat(r.fileBytes()).isEqualTo(Files.size(first) + Files.size(second));
    for (Manifest.DiskImage d : two.disks()) {
      Path raw = tmp.resolve("restored-" + d.name());
      new RestoreImage(repo, Progress.NONE, Cancellation.none())
          .run(new RestoreImage.Options(two.id(), d.name(), null, raw, false));
      Tools.assertVhdxHolds(raw, ExportImage.targetFor(dir.resolve("pc.vhdx"), d.name()));
    }
    // one bar over both disks: it ends at the sum and never runs past it
    assertThat(seen).allMatch(u -> u[1] == both && u[0] <= both);
    assertThat(seen.stream().mapToLong(u -> u[0]).max().orElse(0)).isEqualTo(both);
    assertThat(phases).contains("exporting gpt.img", "exporting plain-ext4.img");

    // a name already taken stops the export before any file is written
    Path again = Files.createDirectory(tmp.resolve("again"));
    Files.writeString(again.resolve("pc-plain-ext4.img.vhdx"), "keep me");
    assertThatThrownBy(
            () ->
                new ExportImage(repo, Progress.NONE, Cancellation.none())
                    .run(
                        new ExportImage.Options(
                            two.id(),
                            null,
                            null,
                            ExportImage.Format.VHDX,
                            again.resolve("pc.vhdx"),
                            0)))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("pc-plain-ext4.img.vhdx exists already");
    try (Stream<Path> left = Files.list(again)) {
      assertThat(left).containsExactly(again.resolve("pc-plain-ext4.img.vhdx"));
    }
    assertThat(Files.readString(again.resolve("pc-plain-ext4.img.vhdx"))).isEqualTo("keep me");
  }

  @Test
  void a_disk_name_goes_before_the_extension_and_is_made_safe_for_a_file_name() {
    assertThat(ExportImage.targetFor(Path.of("/x/vm.vhdx"), "sda"))
        .isEqualTo(Path.of("/x/vm-sda.vhdx"));
    assertThat(ExportImage.targetFor(Path.of("/x/vm"), "nvme0n1"))
        .isEqualTo(Path.of("/x/vm-nvme0n1"));
    assertThat(ExportImage.targetFor(Path.of("/x/vm.img"), "a/b c"))
        .isEqualTo(Path.of("/x/vm-a_b_c.img"));
  }

  private ExportImage.Report export(
      Integer partition, ExportImage.Format format, Path target, long split) {
    return new ExportImage(repo, Progress.NONE, Cancellation.none())
        .run(new ExportImage.Options(image.id(), null, partition, format, target, split));
  }

  private static Path join(List<Path> parts, Path into) throws IOException {
    try (OutputStream out = Files.newOutputStream(into)) {
      for (Path p : parts) {
        Files.copy(p, out);
      }
    }
    return into;
  }
}
