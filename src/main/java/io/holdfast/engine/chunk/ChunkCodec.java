package io.holdfast.engine.chunk;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Turns a chunk's plain bytes into a stored blob and back (docs/repository-format.md, "Chunk
 * blobs"): a 24-byte header, then the payload, compressed with zstd unless that does not help, then
 * optionally sealed with AES-256-GCM bound to the chunk's digest.
 */
public final class ChunkCodec {

  public static final int HEADER = 24;
  static final byte[] MAGIC = "HFCK".getBytes(StandardCharsets.US_ASCII);
  static final int VERSION = 1;
  static final int COMP_NONE = 0;
  static final int COMP_ZSTD = 1;
  static final int ENC_NONE = 0;
  static final int ENC_AES_GCM = 1;
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;

  private static final ThreadLocal<ZstdDecompressCtx> DECOMPRESS =
      ThreadLocal.withInitial(ZstdDecompressCtx::new);
  private static final ThreadLocal<ZstdCompressCtx[]> COMPRESS =
      ThreadLocal.withInitial(() -> new ZstdCompressCtx[23]);
  private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[0]);

  /** Only encrypted repositories need one, and seeding it took 20 ms of every start-up. */
  private static final class Nonces {
    static final SecureRandom RANDOM = new SecureRandom();
  }

  private final SecretKey key;

  /**
   * @param key the repository's data key, or null for an unencrypted repository
   */
  public ChunkCodec(SecretKey key) {
    this.key = key;
  }

  /** {@link #encodeShared}, copied into a blob of its own. */
  public byte[] encode(String digest, byte[] plain, int len, Compression compression) {
    ByteBuffer shared = encodeShared(digest, plain, len, compression);
    byte[] blob = new byte[shared.remaining()];
    shared.get(blob);
    return blob;
  }

  /**
   * Encodes a chunk into this thread's buffer and returns the blob as a view of it, valid until the
   * thread's next encode. A backup's writer copies each blob into its pack at once; allocating one
   * array per blob instead was 97 % of what a full backup of the bench disk allocated (1.1 GB), and
   * zeroing those arrays and collecting them took about 0.4 CPU-s.
   */
  public ByteBuffer encodeShared(String digest, byte[] plain, int len, Compression compression) {
    byte[] out = scratch(len);
    int payloadLen = len;
    int comp = COMP_NONE;
    if (compression != Compression.NONE) {
      int packed = compress(plain, len, compression.zstdLevel(), out, HEADER);
      if (packed < len) {
        payloadLen = packed;
        comp = COMP_ZSTD;
      }
    }
    if (comp == COMP_NONE) {
      System.arraycopy(plain, 0, out, HEADER, len);
    }
    int enc = ENC_NONE;
    if (key != null) {
      byte[] sealed = seal(digest, out, HEADER, payloadLen);
      payloadLen = sealed.length;
      System.arraycopy(sealed, 0, out, HEADER, payloadLen);
      enc = ENC_AES_GCM;
    }
    ByteBuffer h = ByteBuffer.wrap(out, 0, HEADER).order(ByteOrder.LITTLE_ENDIAN);
    h.put(MAGIC).put((byte) VERSION).put((byte) comp).put((byte) enc);
    h.put((byte) compression.zstdLevel());
    h.putInt(len).putInt(payloadLen).putInt(crc(out, HEADER, payloadLen));
    h.putInt(crc(out, 0, 20));
    return ByteBuffer.wrap(out, 0, HEADER + payloadLen);
  }

  /** Checks everything and returns the plain bytes, or says exactly what is wrong. */
  public byte[] decode(String digest, byte[] blob) {
    checkHeader(blob);
    byte[] plain = new byte[plainLength(blob)];
    decodeChecked(digest, blob, plain, true);
    return plain;
  }

  /**
   * Checks everything and writes the plain bytes to the start of {@code out}, returning how many;
   * or says exactly what is wrong. Allocates nothing for an unencrypted blob.
   */
  public int decodeInto(String digest, byte[] blob, byte[] out) {
    checkHeader(blob);
    return decodeChecked(digest, blob, out, true);
  }

  /**
   * {@link #decodeInto} without the final SHA-256 of the plain bytes: header, CRC32C, decryption
   * (which authenticates the digest too) and decompression are checked; the caller checks the plain
   * bytes against something it trusts instead (restore: the image's fingerprint).
   */
  public int decodeUnhashed(String digest, byte[] blob, byte[] out) {
    checkHeader(blob);
    return decodeChecked(digest, blob, out, false);
  }

  /**
   * The zstd level the blob's writer compressed it with, or tried when compression did not help; 0
   * when none was asked for, or the blob predates engine 0.5 (which did not record it). Reads the
   * header only: the blob may be just its first {@link #HEADER} bytes.
   */
  public static int level(byte[] blob) {
    return blob.length < HEADER ? 0 : blob[7] & 0xFF;
  }

  /** The plain length a checked header claims. */
  private static int plainLength(byte[] blob) {
    return ByteBuffer.wrap(blob, 0, HEADER).order(ByteOrder.LITTLE_ENDIAN).getInt(8);
  }

  /** {@link #decodeInto} for a blob whose header {@link #checkHeader} has passed. */
  private int decodeChecked(String digest, byte[] blob, byte[] out, boolean rehash) {
    ByteBuffer h = ByteBuffer.wrap(blob, 0, HEADER).order(ByteOrder.LITTLE_ENDIAN);
    int comp = blob[5];
    int enc = blob[6];
    int plainLen = h.getInt(8);
    int storedLen = h.getInt(12);
    if (plainLen > out.length) {
      throw new ChunkCorruptException(
          "claims " + plainLen + " plain bytes, more than a chunk (" + out.length + ")");
    }
    if (h.getInt(16) != crc(blob, HEADER, storedLen)) {
      throw new ChunkCorruptException("CRC32C of the stored bytes does not match");
    }
    byte[] payload = blob;
    int payloadOff = HEADER;
    int payloadLen = storedLen;
    if (enc == ENC_AES_GCM) {
      if (key == null) {
        throw new ChunkCorruptException("chunk is encrypted but the repository has no key open");
      }
      payload = open(digest, Arrays.copyOfRange(blob, HEADER, blob.length));
      payloadOff = 0;
      payloadLen = payload.length;
    } else if (enc != ENC_NONE) {
      throw new ChunkCorruptException("unknown encryption " + enc);
    } else if (key != null) {
      throw new ChunkCorruptException("chunk is not encrypted in an encrypted repository");
    }
    int n;
    if (comp == COMP_ZSTD) {
      try {
        n = DECOMPRESS.get().decompressByteArray(out, 0, plainLen, payload, payloadOff, payloadLen);
      } catch (RuntimeException e) {
        throw new ChunkCorruptException("zstd cannot decompress it: " + e.getMessage());
      }
    } else if (comp == COMP_NONE) {
      if (payloadLen != plainLen) {
        throw new ChunkCorruptException(
            "stored uncompressed as " + payloadLen + " bytes, not " + plainLen);
      }
      System.arraycopy(payload, payloadOff, out, 0, payloadLen);
      n = payloadLen;
    } else {
      throw new ChunkCorruptException("unknown compression " + comp);
    }
    if (n != plainLen) {
      throw new ChunkCorruptException("decompressed to " + n + " bytes, not " + plainLen);
    }
    if (rehash) {
      String actual = Digests.sha256(out, 0, n);
      if (!actual.equals(digest)) {
        throw new ChunkCorruptException("content hashes to " + actual + ", not to its name");
      }
    }
    return n;
  }

  private static void checkHeader(byte[] blob) {
    if (blob.length < HEADER) {
      throw new ChunkCorruptException("blob shorter than its header (" + blob.length + " bytes)");
    }
    ByteBuffer h = ByteBuffer.wrap(blob, 0, HEADER).order(ByteOrder.LITTLE_ENDIAN);
    if (!Arrays.equals(blob, 0, 4, MAGIC, 0, 4)) {
      throw new ChunkCorruptException("bad magic");
    }
    if (h.getInt(20) != crc(blob, 0, 20)) {
      throw new ChunkCorruptException("header CRC mismatch");
    }
    int version = blob[4];
    int plainLen = h.getInt(8);
    int storedLen = h.getInt(12);
    if (version != VERSION) {
      throw new ChunkCorruptException("unknown blob format version " + version);
    }
    if (storedLen != blob.length - HEADER || plainLen < 0 || plainLen > 64 << 20) {
      throw new ChunkCorruptException(
          "blob is " + (blob.length - HEADER) + " bytes, header says " + storedLen);
    }
  }

  /**
   * Compresses into {@code dst} from {@code at}, which holds at least {@code compressBound(len)}.
   */
  private static int compress(byte[] src, int len, int level, byte[] dst, int at) {
    ZstdCompressCtx[] ctxs = COMPRESS.get();
    if (ctxs[level] == null) {
      ctxs[level] = new ZstdCompressCtx().setLevel(level);
    }
    return ctxs[level].compressByteArray(dst, at, dst.length - at, src, 0, len);
  }

  /**
   * This thread's buffer for a blob: a header and {@code len} bytes of input, compressed, stored as
   * they are or encrypted, whichever is largest.
   */
  private static byte[] scratch(int len) {
    int need = HEADER + (int) Math.max(Zstd.compressBound(len), len + NONCE + TAG_BITS / 8);
    byte[] b = SCRATCH.get();
    if (b.length < need) {
      b = new byte[need];
      SCRATCH.set(b);
    }
    return b;
  }

  private byte[] seal(String digest, byte[] data, int off, int len) {
    try {
      byte[] nonce = new byte[NONCE];
      Nonces.RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(HexFormat.of().parseHex(digest));
      byte[] out = new byte[NONCE + c.getOutputSize(len)];
      System.arraycopy(nonce, 0, out, 0, NONCE);
      c.doFinal(data, off, len, out, NONCE);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  private byte[] open(String digest, byte[] sealed) {
    if (sealed.length < NONCE + TAG_BITS / 8) {
      throw new ChunkCorruptException("encrypted payload too short");
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(
          Cipher.DECRYPT_MODE,
          key,
          new GCMParameterSpec(TAG_BITS, Arrays.copyOfRange(sealed, 0, NONCE)));
      c.updateAAD(HexFormat.of().parseHex(digest));
      return c.doFinal(sealed, NONCE, sealed.length - NONCE);
    } catch (javax.crypto.AEADBadTagException e) {
      throw new ChunkCorruptException("decryption failed: wrong key or tampered chunk");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  static int crc(byte[] b, int off, int len) {
    CRC32C c = new CRC32C();
    c.update(b, off, len);
    return (int) c.getValue();
  }
}
