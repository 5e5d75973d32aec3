package io.holdfast.engine.disk;

import io.holdfast.engine.EngineException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * Writes a small GPT disk image with two FAT16 partitions holding sample files, so that a fresh
 * install has something real to back up, verify and restore before any machine is enrolled. Like a
 * disk in use, it has free space holding a deleted file's data and unpartitioned space, so the
 * first backup already shows that only used blocks are imaged.
 */
public final class DemoDisk {

  private static final int SECTOR = 512;
  private static final int ENTRIES = 128;
  private static final int ENTRY_SIZE = 128;
  private static final String EFI_SYSTEM = "c12a7328-f81f-11d2-ba4b-00a0c93ec93b";
  private static final String BASIC_DATA = "ebd0a0a2-b9e5-4433-87c0-68b6b72699c7";

  /** The demo disk's size: 64 MiB, sparse. */
  public static final long SIZE = 64L << 20;

  private DemoDisk() {}

  /** Creates {@code file} unless it exists. */
  public static void ensure(Path file) {
    if (Files.exists(file)) {
      return;
    }
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      write(tmp, SIZE);
      Files.move(tmp, file);
    } catch (IOException e) {
      throw new EngineException("Cannot create the demo disk " + file + ": " + e.getMessage(), e);
    }
  }

  static void write(Path file, long size) throws IOException {
    long sectors = size / SECTOR;
    long[][] parts = PARTS;
    String[] names = {"EFI", "data"};
    String[] types = {EFI_SYSTEM, BASIC_DATA};
    byte[] entries = new byte[ENTRIES * ENTRY_SIZE];
    ByteBuffer e = ByteBuffer.wrap(entries).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < parts.length; i++) {
      e.position(i * ENTRY_SIZE);
      e.put(guid(types[i]));
      e.put(
          guid(
              UUID.nameUUIDFromBytes(("holdfast-demo-" + i).getBytes(StandardCharsets.UTF_8))
                  .toString()));
      e.putLong(parts[i][0]).putLong(parts[i][1]).putLong(0);
      e.put(names[i].getBytes(StandardCharsets.UTF_16LE));
    }
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size);
      f.seek(0);
      f.write(protectiveMbr(sectors));
      long entriesSectors = ENTRIES * ENTRY_SIZE / SECTOR;
      f.seek(SECTOR);
      f.write(header(1, sectors - 1, 2, sectors, entries));
      f.seek(2L * SECTOR);
      f.write(entries);
      f.seek((sectors - 1 - entriesSectors) * SECTOR);
      f.write(entries);
      f.seek((sectors - 1) * SECTOR);
      f.write(header(sectors - 1, 1, sectors - 1 - entriesSectors, sectors, entries));
      efi().write(f, parts[0][0] * SECTOR);
      data().write(f, parts[1][0] * SECTOR);
    }
  }

  /** First and last sector of each partition. */
  private static final long[][] PARTS = {
    {2048, 2048 + 24 * 2048 - 1}, {2048 + 24 * 2048, 2048 + 56 * 2048 - 1}
  };

  private static DemoVolume efi() {
    DemoVolume v = new DemoVolume(PARTS[0][1] - PARTS[0][0] + 1, PARTS[0][0], "EFI", 0x4F1D0001);
    v.root.dir("EFI").dir("BOOT").file("BOOTX64.EFI", DemoVolume.Kind.BINARY, 1_200_000);
    v.root.file("VMLINUZ", DemoVolume.Kind.RANDOM, 6_000_000);
    v.root.file("INITRD.IMG", DemoVolume.Kind.RANDOM, 9_000_000);
    v.root.file("GRUB.CFG", DemoVolume.Kind.TEXT, 1_500);
    return v;
  }

  private static DemoVolume data() {
    DemoVolume v = new DemoVolume(PARTS[1][1] - PARTS[1][0] + 1, PARTS[1][0], "DATA", 0x4F1D0002);
    v.root
        .dir("DOCS")
        .file("NOTES.TXT", DemoVolume.Kind.TEXT, 3_000_000)
        .file("REPORT.CSV", DemoVolume.Kind.TEXT, 2_000_000);
    v.root.deletedFile("OLD.TAR", DemoVolume.Kind.RANDOM, 6_000_000);
    v.root.file("PHOTOS.ZIP", DemoVolume.Kind.RANDOM, 5_000_000);
    v.root.file("APP.BIN", DemoVolume.Kind.BINARY, 2_000_000);
    return v;
  }

  /**
   * Where on the demo disk a file's contents can be changed in place, for at least {@link
   * #CHANGEABLE} bytes: the middle of the data partition's PHOTOS.ZIP. A change there is a change
   * in used blocks, which the next backup must store.
   */
  public static long changeableOffset() {
    return PARTS[1][0] * SECTOR + data().offsetOf("PHOTOS.ZIP") + (1 << 20);
  }

  /** How many bytes from {@link #changeableOffset} belong to the file. */
  public static final int CHANGEABLE = 1 << 20;

  private static byte[] protectiveMbr(long sectors) {
    byte[] mbr = new byte[SECTOR];
    ByteBuffer b = ByteBuffer.wrap(mbr).order(ByteOrder.LITTLE_ENDIAN);
    b.put(446 + 4, (byte) 0xEE);
    b.putInt(446 + 8, 1);
    b.putInt(446 + 12, (int) Math.min(0xFFFFFFFFL, sectors - 1));
    mbr[510] = 0x55;
    mbr[511] = (byte) 0xAA;
    return mbr;
  }

  private static byte[] header(
      long my, long alternate, long entriesLba, long sectors, byte[] entries) {
    byte[] h = new byte[SECTOR];
    ByteBuffer b = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
    b.put("EFI PART".getBytes(StandardCharsets.US_ASCII));
    b.putInt(0x00010000).putInt(92).putInt(0).putInt(0);
    b.putLong(my).putLong(alternate).putLong(34).putLong(sectors - 34);
    b.put(guid("d3e0d3e0-0000-4000-8000-00000000de70"));
    b.putLong(entriesLba).putInt(ENTRIES).putInt(ENTRY_SIZE);
    CRC32 crc = new CRC32();
    crc.update(entries);
    b.putInt((int) crc.getValue());
    crc.reset();
    crc.update(h, 0, 92);
    b.putInt(16, (int) crc.getValue());
    return h;
  }

  /** GUID text to its on-disk bytes (first three groups little-endian). */
  private static byte[] guid(String text) {
    UUID u = UUID.fromString(text);
    ByteBuffer b = ByteBuffer.allocate(16);
    long msb = u.getMostSignificantBits();
    b.order(ByteOrder.LITTLE_ENDIAN)
        .putInt((int) (msb >>> 32))
        .putShort((short) (msb >>> 16))
        .putShort((short) msb);
    b.order(ByteOrder.BIG_ENDIAN).putLong(u.getLeastSignificantBits());
    return b.array();
  }
}
