package io.holdfast.engine.export;

import io.holdfast.engine.EngineException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.UUID;
import java.util.zip.CRC32C;

/**
 * The layout of a dynamic VHDX file (Microsoft's MS-VHDX, version 1) holding one virtual disk: what
 * Hyper-V, Windows' disk management and qemu open. Only the payload blocks that hold data are in
 * the file; the others read as zeros.
 *
 * <p>The file, each structure 1 MiB aligned as the format asks:
 *
 * <pre>
 *   0         file type identifier "vhdxfile" (64 KiB)
 *   64 KiB    header 1, 128 KiB header 2 (4 KiB each, CRC-32C; sequence numbers 1 and 2)
 *   192 KiB   region table 1, 256 KiB region table 2 (BAT and metadata region)
 *   1 MiB     log (1 MiB, empty: the log GUID is zero, nothing to replay)
 *   2 MiB     metadata region (1 MiB): file parameters, virtual disk size, virtual disk id,
 *             logical sector size 512, physical sector size 4096
 *   3 MiB     BAT: one entry per payload block, a sector-bitmap entry after each chunk of them
 *   then      the present payload blocks, in the disk's order
 * </pre>
 */
public final class Vhdx {

  /** Payload block size: small enough that a sparse disk stays small on media without holes. */
  public static final int BLOCK_SIZE = 2 << 20;

  /** The largest virtual disk the format allows: 64 TiB. */
  public static final long MAX_SIZE = 64L << 40;

  static final int MIB = 1 << 20;
  static final int SECTOR = 512;
  private static final long LOG_OFFSET = MIB;
  private static final long METADATA_OFFSET = 2L * MIB;
  private static final long BAT_OFFSET = 3L * MIB;

  /** Payload blocks per sector bitmap block: 2^23 sectors of 512 bytes over the block size. */
  private static final long CHUNK_RATIO = (1L << 23) * SECTOR / BLOCK_SIZE;

  private static final UUID BAT_REGION = UUID.fromString("2DC27766-F623-4200-9D64-115E9BFD4A08");
  private static final UUID METADATA_REGION =
      UUID.fromString("8B7CA206-4790-4B9A-B8FE-575F050F886E");
  private static final UUID FILE_PARAMETERS =
      UUID.fromString("CAA16737-FA36-4D43-B3B6-33F0AA44E76B");
  private static final UUID VIRTUAL_DISK_SIZE =
      UUID.fromString("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
  private static final UUID VIRTUAL_DISK_ID =
      UUID.fromString("BECA12AB-B2E6-4523-93EF-C309E000C746");
  private static final UUID LOGICAL_SECTOR_SIZE =
      UUID.fromString("8141BF1D-A96F-4709-BA47-F233A8FAAB5F");
  private static final UUID PHYSICAL_SECTOR_SIZE =
      UUID.fromString("CDA348C7-445D-4471-9CC9-E9885251C556");

  private static final long PAYLOAD_BLOCK_FULLY_PRESENT = 6;

  private final long virtualSize;
  private final long blocks;
  private final long batBytes;
  private final long dataStart;

  /** File offset of each payload block, or 0 when the block is not in the file. */
  private final long[] blockOffset;

  private final long fileLength;
  private final UUID diskId;
  private final UUID fileWriteId;
  private final UUID dataWriteId;

  /**
   * A layout for a disk of {@code virtualSize} bytes whose payload blocks {@code present} hold data
   * (bit i: bytes {@code [i * BLOCK_SIZE, (i + 1) * BLOCK_SIZE)}).
   */
  public Vhdx(long virtualSize, BitSet present, UUID diskId) {
    if (virtualSize <= 0 || virtualSize % SECTOR != 0) {
      throw new EngineException(
          "A VHDX disk is a whole number of 512-byte sectors; this one is "
              + virtualSize
              + " bytes. Export it as raw instead.");
    }
    if (virtualSize > MAX_SIZE) {
      throw new EngineException(
          "A VHDX disk holds at most 64 TiB; this one is "
              + virtualSize
              + " bytes. Export it as raw instead.");
    }
    this.virtualSize = virtualSize;
    this.blocks = (virtualSize + BLOCK_SIZE - 1) / BLOCK_SIZE;
    this.batBytes = roundUp(batEntries() * 8, MIB);
    this.dataStart = BAT_OFFSET + batBytes;
    this.blockOffset = new long[Math.toIntExact(blocks)];
    long next = dataStart;
    for (int b = present.nextSetBit(0); b >= 0 && b < blocks; b = present.nextSetBit(b + 1)) {
      blockOffset[b] = next;
      next += BLOCK_SIZE;
    }
    this.fileLength = next;
    this.diskId = diskId;
    this.fileWriteId = UUID.randomUUID();
    this.dataWriteId = UUID.randomUUID();
  }

  public long virtualSize() {
    return virtualSize;
  }

  /** How long the file is: every present block whole, as readers check. */
  public long fileLength() {
    return fileLength;
  }

  /**
   * Where virtual byte {@code at} lives in the file, or -1 when its block is not in the file (it
   * reads as zeros).
   */
  public long fileOffset(long at) {
    long off = blockOffset[(int) (at / BLOCK_SIZE)];
    return off == 0 ? -1 : off + at % BLOCK_SIZE;
  }

  /** A structure to write at a file offset. */
  public record Piece(long at, byte[] bytes) {}

  /** Everything but the payload: header section, metadata region, BAT. The log stays zeros. */
  public List<Piece> structures() {
    List<Piece> pieces = new ArrayList<>();
    pieces.add(new Piece(0, fileIdentifier()));
    pieces.add(new Piece(64 << 10, header(1)));
    pieces.add(new Piece(128 << 10, header(2)));
    byte[] regions = regionTable();
    pieces.add(new Piece(192 << 10, regions));
    pieces.add(new Piece(256 << 10, regions));
    pieces.add(new Piece(METADATA_OFFSET, metadata()));
    pieces.add(new Piece(BAT_OFFSET, bat()));
    return pieces;
  }

  private long batEntries() {
    // a dynamic disk's BAT ends with the last payload block's entry (MS-VHDX 2.5)
    return blocks + (blocks - 1) / CHUNK_RATIO;
  }

  private static byte[] fileIdentifier() {
    ByteBuffer b = le(64 << 10);
    b.put("vhdxfile".getBytes(StandardCharsets.US_ASCII));
    b.put("Holdfast".getBytes(StandardCharsets.UTF_16LE));
    return b.array();
  }

  private byte[] header(long sequence) {
    ByteBuffer b = le(4096);
    b.put("head".getBytes(StandardCharsets.US_ASCII));
    b.putInt(0); // checksum, below
    b.putLong(sequence);
    putGuid(b, fileWriteId);
    putGuid(b, dataWriteId);
    putGuid(b, new UUID(0, 0)); // log GUID: no log to replay
    b.putShort((short) 0); // log version
    b.putShort((short) 1); // version
    b.putInt(MIB); // log length
    b.putLong(LOG_OFFSET);
    return checksummed(b.array());
  }

  private byte[] regionTable() {
    ByteBuffer b = le(64 << 10);
    b.put("regi".getBytes(StandardCharsets.US_ASCII));
    b.putInt(0); // checksum
    b.putInt(2); // entries
    b.putInt(0);
    putGuid(b, BAT_REGION);
    b.putLong(BAT_OFFSET);
    b.putInt(Math.toIntExact(batBytes));
    b.putInt(1); // required
    putGuid(b, METADATA_REGION);
    b.putLong(METADATA_OFFSET);
    b.putInt(MIB);
    b.putInt(1);
    return checksummed(b.array());
  }

  private byte[] metadata() {
    ByteBuffer b = le(MIB);
    b.put("metadata".getBytes(StandardCharsets.US_ASCII));
    b.putShort((short) 0);
    b.putShort((short) 5); // entries
    b.position(32);
    // items from 64 KiB on, 8 bytes apart, in the table's order
    int item = 64 << 10;
    int isVirtualDisk = 2;
    int isRequired = 4;
    entry(b, FILE_PARAMETERS, item, 8, isRequired);
    entry(b, VIRTUAL_DISK_SIZE, item + 8, 8, isVirtualDisk | isRequired);
    entry(b, VIRTUAL_DISK_ID, item + 16, 16, isVirtualDisk | isRequired);
    entry(b, LOGICAL_SECTOR_SIZE, item + 32, 4, isVirtualDisk | isRequired);
    entry(b, PHYSICAL_SECTOR_SIZE, item + 40, 4, isVirtualDisk | isRequired);
    b.position(item);
    b.putInt(BLOCK_SIZE);
    b.putInt(0); // flags: blocks may be absent, no parent
    b.putLong(virtualSize);
    putGuid(b, diskId);
    b.putInt(SECTOR);
    b.putInt(0); // padding to item + 40
    b.putInt(4096);
    return b.array();
  }

  private static void entry(ByteBuffer b, UUID id, int offset, int length, int flags) {
    putGuid(b, id);
    b.putInt(offset);
    b.putInt(length);
    b.putInt(flags);
    b.putInt(0);
  }

  private byte[] bat() {
    ByteBuffer b = le(Math.toIntExact(batBytes));
    for (long block = 0; block < blocks; block++) {
      long entry = block + block / CHUNK_RATIO; // a sector bitmap entry after each chunk
      long off = blockOffset[(int) block];
      if (off != 0) {
        b.putLong((int) (entry * 8), (off / MIB) << 20 | PAYLOAD_BLOCK_FULLY_PRESENT);
      }
      // absent blocks stay 0: PAYLOAD_BLOCK_NOT_PRESENT; sector bitmap entries:
      // SB_BLOCK_NOT_PRESENT
    }
    return b.array();
  }

  private static byte[] checksummed(byte[] structure) {
    CRC32C crc = new CRC32C();
    crc.update(structure);
    ByteBuffer.wrap(structure).order(ByteOrder.LITTLE_ENDIAN).putInt(4, (int) crc.getValue());
    return structure;
  }

  /** A GUID as Windows stores it: the first three fields little-endian, the rest as written. */
  static void putGuid(ByteBuffer b, UUID id) {
    long hi = id.getMostSignificantBits();
    long lo = id.getLeastSignificantBits();
    b.putInt((int) (hi >>> 32)); // little-endian buffer: Data1 reversed
    b.putShort((short) (hi >>> 16));
    b.putShort((short) hi);
    b.order(ByteOrder.BIG_ENDIAN).putLong(lo).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static long roundUp(long n, long to) {
    return (n + to - 1) / to * to;
  }
}
