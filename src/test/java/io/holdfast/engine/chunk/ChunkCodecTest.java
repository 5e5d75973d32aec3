package io.holdfast.engine.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Blobs encoded into a thread's shared buffer decode back to their chunk, in every variant. */
class ChunkCodecTest {

  private static final int CHUNK = 256 << 10;

  private static byte[] text() {
    byte[] b = new byte[CHUNK];
    byte[] line = "holdfast keeps every allocated block of the disk\n".getBytes();
    for (int i = 0; i < b.length; i++) {
      b[i] = line[i % line.length];
    }
    return b;
  }

  private static byte[] noise() {
    byte[] b = new byte[CHUNK];
    new Random(7).nextBytes(b);
    return b;
  }

  private static byte[] bytes(ByteBuffer view) {
    byte[] b = new byte[view.remaining()];
    view.get(b);
    return b;
  }

  private static void assertRoundTrip(ChunkCodec codec, byte[] plain, int expectCompression) {
    String digest = Digests.sha256(plain, 0, plain.length);
    byte[] blob = bytes(codec.encodeShared(digest, plain, plain.length, Compression.FAST));
    assertThat(blob[5]).isEqualTo((byte) expectCompression);
    assertThat(ChunkCodec.level(blob)).isEqualTo(1);
    assertThat(codec.decode(digest, blob)).isEqualTo(plain);
  }

  @Test
  void compressible_and_incompressible_chunks_round_trip_plain_and_encrypted() {
    byte[] key = new byte[32];
    new Random(3).nextBytes(key);
    for (ChunkCodec codec :
        new ChunkCodec[] {new ChunkCodec(null), new ChunkCodec(new SecretKeySpec(key, "AES"))}) {
      assertRoundTrip(codec, text(), ChunkCodec.COMP_ZSTD);
      // zstd cannot shrink random bytes: they are stored as they are
      assertRoundTrip(codec, noise(), ChunkCodec.COMP_NONE);
    }
  }

  @Test
  void a_shared_blob_is_the_same_bytes_as_an_own_one_until_the_next_encode() {
    ChunkCodec codec = new ChunkCodec(null);
    byte[] plain = text();
    String digest = Digests.sha256(plain, 0, plain.length);
    byte[] own = codec.encode(digest, plain, plain.length, Compression.FAST);
    ByteBuffer shared = codec.encodeShared(digest, plain, plain.length, Compression.FAST);
    assertThat(bytes(shared.duplicate())).isEqualTo(own);
    assertThat(own.length).isLessThan(CHUNK / 10);

    // the next encode on this thread reuses the buffer; an own copy stays as it was
    byte[] other = noise();
    codec.encodeShared(
        Digests.sha256(other, 0, other.length), other, other.length, Compression.FAST);
    assertThat(bytes(shared)).isNotEqualTo(own);
    assertThat(codec.decode(digest, own)).isEqualTo(plain);
  }

  @Test
  void a_short_chunk_fills_only_its_part_of_the_buffer() {
    ChunkCodec codec = new ChunkCodec(null);
    codec.encodeShared("00", noise(), CHUNK, Compression.NONE);
    byte[] tail = Arrays.copyOf(text(), 4096);
    String digest = Digests.sha256(tail, 0, tail.length);
    byte[] blob = bytes(codec.encodeShared(digest, tail, tail.length, Compression.NONE));
    assertThat(blob).hasSize(ChunkCodec.HEADER + tail.length);
    assertThat(codec.decode(digest, blob)).isEqualTo(tail);
  }

  @Test
  void a_flipped_byte_in_a_shared_blob_is_named_corrupt() {
    ChunkCodec codec = new ChunkCodec(null);
    byte[] plain = text();
    String digest = Digests.sha256(plain, 0, plain.length);
    byte[] blob = bytes(codec.encodeShared(digest, plain, plain.length, Compression.FAST));
    blob[ChunkCodec.HEADER + 5] ^= 1;
    assertThatThrownBy(() -> codec.decode(digest, blob))
        .isInstanceOf(ChunkCorruptException.class)
        .hasMessageContaining("CRC32C");
  }
}
