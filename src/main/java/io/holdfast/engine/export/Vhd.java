package io.holdfast.engine.export;

import io.holdfast.engine.EngineException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

/**
 * A fixed VHD (Microsoft's Virtual Hard Disk Image Format Specification, version 1.0): the disk's
 * bytes as they are, then a 512-byte footer. What Azure takes for uploaded disks, and what Hyper-V
 * (generation 1), VirtualBox, Xen and qemu open. Its length is a whole number of MiB, as Azure
 * asks: a disk that is not is padded with zeros to the next MiB, which the file holds as a hole.
 */
public final class Vhd {

  /** The largest disk the format's readers agree on (Hyper-V, qemu): 2040 GiB. */
  public static final long MAX_SIZE = 2040L << 30;

  static final int FOOTER = 512;
  private static final long MIB = 1 << 20;

  /** Seconds from 1970 to 2000-01-01 00:00:00 UTC, where VHD times begin. */
  private static final long EPOCH_2000 = 946_684_800L;

  private Vhd() {}

  /** The virtual size a disk of {@code bytes} gets: rounded up to a whole MiB. */
  public static long virtualSize(long bytes) {
    if (bytes <= 0) {
      throw new EngineException("An empty disk cannot be exported.");
    }
    long size = (bytes + MIB - 1) / MIB * MIB;
    if (size > MAX_SIZE) {
      throw new EngineException(
          "A VHD disk holds at most 2040 GiB; this one is "
              + bytes
              + " bytes. Export it as vhdx or raw instead.");
    }
    return size;
  }

  /** The length of the file for a disk of {@code bytes}: its virtual size and the footer. */
  public static long fileLength(long bytes) {
    return virtualSize(bytes) + FOOTER;
  }

  /** Where the footer goes in the file. */
  public static long footerAt(long bytes) {
    return virtualSize(bytes);
  }

  /** The footer of a fixed disk of {@code bytes} (rounded as {@link #virtualSize}), big-endian. */
  public static byte[] footer(long bytes, UUID id, Instant made) {
    long size = virtualSize(bytes);
    ByteBuffer b = ByteBuffer.allocate(FOOTER); // big-endian, zero-filled
    b.put("conectix".getBytes(StandardCharsets.US_ASCII));
    b.putInt(2); // features: the reserved bit, always set
    b.putInt(0x0001_0000); // file format version 1.0
    b.putLong(-1); // data offset: none, a fixed disk
    b.putInt((int) Math.max(0, made.getEpochSecond() - EPOCH_2000));
    // The creator tells readers which size counts: Virtual PC ("vpc ") sized disks by their
    // geometry, Hyper-V ("win ") by the size field. qemu takes the size field only from creators
    // it knows to mean it, and the geometry rounds a disk down; so this says "win ", as Hyper-V,
    // whose meaning it has, and Azure, Hyper-V, VirtualBox and qemu agree on the size.
    b.put("win ".getBytes(StandardCharsets.US_ASCII));
    b.putInt(0x0001_0000); // creator version
    b.put("Wi2k".getBytes(StandardCharsets.US_ASCII)); // creator host OS, as Hyper-V writes
    b.putLong(size); // original size
    b.putLong(size); // current size
    b.putInt(geometry(size));
    b.putInt(2); // disk type: fixed
    int checksumAt = b.position();
    b.putInt(0);
    b.putLong(id.getMostSignificantBits()); // unique id, as the specification's bytes
    b.putLong(id.getLeastSignificantBits());
    b.put((byte) 0); // saved state: none
    byte[] f = b.array();
    int sum = 0;
    for (byte x : f) {
      sum += x & 0xFF;
    }
    ByteBuffer.wrap(f).putInt(checksumAt, ~sum);
    return f;
  }

  /**
   * Cylinders, heads and sectors per track as the specification's appendix computes them, packed as
   * the footer holds them: a BIOS-era reader sizes the disk by them.
   */
  static int geometry(long size) {
    long total = Math.min(size / 512, 65535L * 16 * 255);
    long perTrack;
    long heads;
    long cylTimesHeads;
    if (total >= 65535L * 16 * 63) {
      perTrack = 255;
      heads = 16;
      cylTimesHeads = total / perTrack;
    } else {
      perTrack = 17;
      cylTimesHeads = total / perTrack;
      heads = Math.max(4, (cylTimesHeads + 1023) / 1024);
      if (cylTimesHeads >= heads * 1024 || heads > 16) {
        perTrack = 31;
        heads = 16;
        cylTimesHeads = total / perTrack;
      }
      if (cylTimesHeads >= heads * 1024) {
        perTrack = 63;
        heads = 16;
        cylTimesHeads = total / perTrack;
      }
    }
    long cylinders = cylTimesHeads / heads;
    return (int) (cylinders << 16 | heads << 8 | perTrack);
  }
}
