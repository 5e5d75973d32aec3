package io.holdfast.engine.disk;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.CRC32;

/**
 * Reads MBR (with extended and logical partitions) and GPT (primary and backup header, CRC checks).
 * Never throws on bad input: a table that cannot be trusted gives a layout of scheme {@code none}
 * with the reason, and the disk is then imaged whole.
 */
public final class PartitionTables {

  static final int SECTOR = 512;
  static final int LARGE_SECTOR = 4096;
  private static final int MAX_LOGICAL = 128;
  private static final int MAX_GPT_ENTRIES = 1024;
  private static final HexFormat HEX = HexFormat.of();

  private PartitionTables() {}

  public static DiskLayout read(DiskSource disk) {
    try {
      return parse(disk);
    } catch (RuntimeException e) {
      return DiskLayout.none("partition table unreadable: " + e);
    }
  }

  private static DiskLayout parse(DiskSource disk) {
    if (disk.size() < 2 * SECTOR) {
      return DiskLayout.none("disk too small for a partition table");
    }
    byte[] mbr = disk.readBytes(0, SECTOR);
    boolean hasMbr = Le.u8(mbr, 510) == 0x55 && Le.u8(mbr, 511) == 0xAA;
    boolean protective = false;
    if (hasMbr) {
      for (int i = 0; i < 4; i++) {
        if (Le.u8(mbr, 446 + i * 16 + 4) == 0xEE) {
          protective = true;
        }
      }
    }
    // a block device says its logical sector size; an image file is taken as 512 unless its
    // GPT header sits at byte 4096
    int sector = disk.sectorSize() == LARGE_SECTOR ? LARGE_SECTOR : SECTOR;
    byte[] lba1 = disk.readBytes(sector, 8);
    boolean gptSignature = "EFI PART".equals(new String(lba1, 0, 8, StandardCharsets.US_ASCII));
    // a disk of 4 KiB logical sectors (4Kn) keeps its GPT header at byte 4096, not 512
    boolean gpt4k =
        !gptSignature
            && sector == SECTOR
            && disk.size() >= 8 * LARGE_SECTOR
            && "EFI PART"
                .equals(
                    new String(disk.readBytes(LARGE_SECTOR, 8), 0, 8, StandardCharsets.US_ASCII));
    if (protective || gptSignature || gpt4k) {
      DiskLayout gpt = Gpt.read(disk, gpt4k ? LARGE_SECTOR : sector);
      if (gpt == null && protective && !gptSignature && !gpt4k && sector == SECTOR) {
        gpt = Gpt.read(disk, LARGE_SECTOR); // both 4Kn headers gone but the backup's?
      }
      if (gpt != null) {
        return gpt;
      }
      if (!hasMbr || protective) {
        return DiskLayout.none("GPT headers are both invalid");
      }
    }
    if (hasMbr && !Mbr.bootFlagsValid(mbr)) {
      // the boot sector of a filesystem made on the whole disk also ends in 55 AA; its code
      // fills the table's bytes (Linux's msdos parser draws the same line)
      return DiskLayout.none("no partition table: sector 0 ends in 55 AA but is a boot sector");
    }
    if (hasMbr) {
      return Mbr.read(disk, mbr, sector);
    }
    return DiskLayout.none("no partition table");
  }

  static final class Mbr {

    private static final Map<Integer, String> TYPES =
        Map.ofEntries(
            Map.entry(0x01, "FAT12"),
            Map.entry(0x04, "FAT16 <32M"),
            Map.entry(0x05, "Extended"),
            Map.entry(0x06, "FAT16"),
            Map.entry(0x07, "NTFS/exFAT"),
            Map.entry(0x0B, "FAT32"),
            Map.entry(0x0C, "FAT32 (LBA)"),
            Map.entry(0x0E, "FAT16 (LBA)"),
            Map.entry(0x0F, "Extended (LBA)"),
            Map.entry(0x27, "Windows recovery"),
            Map.entry(0x82, "Linux swap"),
            Map.entry(0x83, "Linux"),
            Map.entry(0x85, "Linux extended"),
            Map.entry(0x8E, "Linux LVM"),
            Map.entry(0xEF, "EFI System"),
            Map.entry(0xFD, "Linux RAID"));

    /** Every entry's boot indicator is 0x00 or 0x80, as in any real table. */
    static boolean bootFlagsValid(byte[] mbr) {
      for (int i = 0; i < 4; i++) {
        int flag = Le.u8(mbr, 446 + i * 16);
        if (flag != 0x00 && flag != 0x80) {
          return false;
        }
      }
      return true;
    }

    static boolean isExtended(int type) {
      return type == 0x05 || type == 0x0F || type == 0x85;
    }

    static DiskLayout read(DiskSource disk, byte[] mbr, int sector) {
      List<Partition> parts = new ArrayList<>();
      List<String> warnings = new ArrayList<>();
      long diskSectors = disk.size() / sector;
      for (int i = 0; i < 4; i++) {
        int e = 446 + i * 16;
        int type = Le.u8(mbr, e + 4);
        long start = Le.u32(mbr, e + 8);
        long count = Le.u32(mbr, e + 12);
        if (type == 0 || count == 0) {
          continue;
        }
        if (start + count > diskSectors) {
          warnings.add("partition " + (i + 1) + " runs past the end of the disk; ignored");
          continue;
        }
        if (isExtended(type)) {
          readLogical(disk, sector, start, count, parts, warnings);
          continue;
        }
        parts.add(partition(i + 1, start, count, type, sector));
      }
      String signature = HEX.toHexDigits((int) Le.u32(mbr, 440));
      return new DiskLayout("mbr", sector, signature, List.copyOf(parts), List.copyOf(warnings));
    }

    private static void readLogical(
        DiskSource disk,
        int sector,
        long extStart,
        long extCount,
        List<Partition> parts,
        List<String> warn) {
      long ebr = extStart;
      Set<Long> seen = new HashSet<>();
      int number = 5;
      while (number < 5 + MAX_LOGICAL) {
        if (!seen.add(ebr) || ebr < extStart || ebr >= extStart + extCount) {
          warn.add("extended partition chain loops or leaves the extended partition; stopped");
          return;
        }
        byte[] b = disk.readBytes(ebr * sector, SECTOR);
        if (Le.u8(b, 510) != 0x55 || Le.u8(b, 511) != 0xAA) {
          warn.add("bad extended boot record at sector " + ebr + "; stopped");
          return;
        }
        int type = Le.u8(b, 446 + 4);
        long rel = Le.u32(b, 446 + 8);
        long count = Le.u32(b, 446 + 12);
        if (type != 0 && count != 0) {
          long start = ebr + rel;
          if (start + count > extStart + extCount) {
            warn.add("logical partition " + number + " leaves the extended partition; ignored");
          } else {
            parts.add(partition(number, start, count, type, sector));
          }
          number++;
        }
        int nextType = Le.u8(b, 462 + 4);
        long next = Le.u32(b, 462 + 8);
        if (nextType == 0 || next == 0) {
          return;
        }
        ebr = extStart + next;
      }
      warn.add("more than " + MAX_LOGICAL + " logical partitions; stopped");
    }

    private static Partition partition(int number, long start, long count, int type, int sector) {
      String hex = HEX.toHexDigits((byte) type);
      return new Partition(
          number,
          start * sector,
          count * sector,
          hex,
          TYPES.getOrDefault(type, "unknown"),
          null,
          null);
    }
  }

  static final class Gpt {

    private static final Map<String, String> TYPES =
        Map.ofEntries(
            Map.entry("c12a7328-f81f-11d2-ba4b-00a0c93ec93b", "EFI System"),
            Map.entry("21686148-6449-6e6f-744e-656564454649", "BIOS boot"),
            Map.entry("0fc63daf-8483-4772-8e79-3d69d8477de4", "Linux filesystem"),
            Map.entry("4f68bce3-e8cd-4db1-96e7-fbcaf984b709", "Linux root (x86-64)"),
            Map.entry("0657fd6d-a4ab-43c4-84e5-0933c84b4f4f", "Linux swap"),
            Map.entry("e6d6d379-f507-44c2-a23c-238f2a3df928", "Linux LVM"),
            Map.entry("a19d880f-05fc-4d3b-a006-743f0f84911e", "Linux RAID"),
            Map.entry("ebd0a0a2-b9e5-4433-87c0-68b6b72699c7", "Microsoft basic data"),
            Map.entry("e3c9e316-0b5c-4db8-817d-f92df00215ae", "Microsoft reserved"),
            Map.entry("de94bba4-06d1-4d40-a16a-bfd50179d6ac", "Windows recovery"));

    /** The primary layout if valid, else the backup's, else null. */
    static DiskLayout read(DiskSource disk, int sector) {
      long lastLba = disk.size() / sector - 1;
      List<String> warnings = new ArrayList<>();
      DiskLayout primary = readAt(disk, sector, 1, lastLba, warnings);
      if (primary != null) {
        return primary;
      }
      warnings.add("primary GPT invalid; using the backup GPT at the end of the disk");
      return readAt(disk, sector, lastLba, lastLba, warnings);
    }

    private static DiskLayout readAt(
        DiskSource disk, int sector, long lba, long lastLba, List<String> warn) {
      byte[] h = disk.readBytes(lba * sector, sector);
      if (!"EFI PART".equals(new String(h, 0, 8, StandardCharsets.US_ASCII))) {
        return null;
      }
      long headerSize = Le.u32(h, 12);
      if (headerSize < 92 || headerSize > sector) {
        return null;
      }
      long storedCrc = Le.u32(h, 16);
      byte[] copy = h.clone();
      copy[16] = copy[17] = copy[18] = copy[19] = 0;
      CRC32 crc = new CRC32();
      crc.update(copy, 0, (int) headerSize);
      if (crc.getValue() != storedCrc) {
        return null;
      }
      long firstUsable = Le.u64(h, 40);
      long lastUsable = Le.u64(h, 48);
      String diskGuid = guid(h, 56);
      long entriesLba = Le.u64(h, 72);
      long count = Le.u32(h, 80);
      long entrySize = Le.u32(h, 84);
      long entriesCrc = Le.u32(h, 88);
      if (count > MAX_GPT_ENTRIES
          || entrySize < 128
          || entrySize > 1024
          || entrySize % 8 != 0
          || entriesLba > lastLba
          || lastUsable > lastLba
          || firstUsable > lastUsable) {
        return null;
      }
      byte[] entries = disk.readBytes(entriesLba * sector, (int) (count * entrySize));
      crc.reset();
      crc.update(entries);
      if (crc.getValue() != entriesCrc) {
        return null;
      }
      List<Partition> parts = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        int e = (int) (i * entrySize);
        String type = guid(entries, e);
        if (type.equals("00000000-0000-0000-0000-000000000000")) {
          continue;
        }
        long first = Le.u64(entries, e + 32);
        long last = Le.u64(entries, e + 40);
        if (first < firstUsable || last > lastUsable || last < first) {
          warn.add("GPT entry " + (i + 1) + " lies outside the usable area; ignored");
          continue;
        }
        String name = new String(entries, e + 56, 72, StandardCharsets.UTF_16LE);
        int nul = name.indexOf('\0');
        parts.add(
            new Partition(
                i + 1,
                first * sector,
                (last - first + 1) * sector,
                type,
                TYPES.getOrDefault(type, "unknown"),
                guid(entries, e + 16),
                nul < 0 ? name : name.substring(0, nul)));
      }
      return new DiskLayout("gpt", sector, diskGuid, List.copyOf(parts), List.copyOf(warn));
    }

    /** GUIDs are stored mixed-endian: the first three groups little-endian. */
    static String guid(byte[] b, int off) {
      // mixed-endian, as GPT stores it; by hand, not String.format, whose first use costs 16 ms
      return HEX.toHexDigits((int) Le.u32(b, off))
          + "-"
          + HEX.toHexDigits((short) Le.u16(b, off + 4))
          + "-"
          + HEX.toHexDigits((short) Le.u16(b, off + 6))
          + "-"
          + HEX.formatHex(b, off + 8, off + 10)
          + "-"
          + HEX.formatHex(b, off + 10, off + 16);
    }
  }
}
