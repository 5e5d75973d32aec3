package io.holdfast.engine.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.chunk.Digests;
import io.holdfast.engine.disk.DiskLayout;
import io.holdfast.engine.disk.Partition;
import io.holdfast.engine.fs.UsedBlocks.PartitionImaging;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestCodecTest {

  /** A partition name is free text from the disk: here one that looks like the digest field. */
  static final String HOSTILE = "\",\"digest\":null,\"x\":\"\\\"digest\\\":\\\"";

  static Manifest sample() {
    String digest = Digests.sha256(new byte[] {1}, 0, 1);
    return sample(
        Arrays.asList(null, digest, digest, null),
        Arrays.asList(
            null, "00112233445566778899aabbccddeeff", "0123456789abcdef0123456789abcdef", null));
  }

  static Manifest sample(List<String> chunks, List<String> prints) {
    Partition p = new Partition(1, 1 << 20, 8 << 20, "0700", "Microsoft basic data", "g", HOSTILE);
    DiskLayout layout = new DiskLayout("gpt", 512, "d", List.of(p), List.of());
    Manifest.DiskImage disk =
        new Manifest.DiskImage(
            "sda",
            16L << 20,
            layout,
            List.of(new PartitionImaging(1, "ntfs", "used-blocks", 4096, null)),
            null,
            chunks,
            prints,
            8192,
            100);
    return new Manifest(
        Manifest.FORMAT,
        "20261122T000000Z-0000abcd",
        "pc-1",
        "2026-11-22T00:00:00Z",
        "0.2.0",
        4 << 20,
        "fast",
        null,
        List.of(disk),
        16L << 20,
        8192,
        100,
        null);
  }

  @Test
  void sealed_bytes_are_the_canonical_json_of_the_sealed_manifest() throws Exception {
    ManifestCodec.Sealed sealed = ManifestCodec.seal(sample());
    JsonMapper canonical =
        JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .build();
    byte[] open = canonical.writeValueAsBytes(sample());
    assertThat(sealed.manifest().digest()).isEqualTo(Digests.sha256(open, 0, open.length));
    assertThat(new String(sealed.bytes(), StandardCharsets.UTF_8))
        .isEqualTo(canonical.writeValueAsString(sealed.manifest()));
  }

  @Test
  void what_is_written_reads_back_equal() {
    Manifest m = ManifestCodec.seal(sample()).manifest();
    assertThat(ManifestCodec.decode(ManifestCodec.encode(sample()), "sample")).isEqualTo(m);
  }

  @Test
  void a_changed_byte_anywhere_is_refused() {
    byte[] good = ManifestCodec.encode(sample());
    String text = new String(good, StandardCharsets.UTF_8);
    byte[] bad = text.replace("\"size\":16777216", "\"size\":16777217").getBytes();
    assertThatThrownBy(() -> ManifestCodec.decode(bad, "x"))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("does not match its digest");
    byte[] truncated = Arrays.copyOf(good, good.length - 10);
    assertThatThrownBy(() -> ManifestCodec.decode(truncated, "x"))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("damaged or truncated");
    assertThatThrownBy(() -> ManifestCodec.decode("null".getBytes(), "x"))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("damaged or truncated");
  }

  @Test
  void a_chunk_that_is_not_a_digest_is_refused_with_the_manifest_named() {
    String text = new String(ManifestCodec.encode(sample()), StandardCharsets.UTF_8);
    String digest = Digests.sha256(new byte[] {1}, 0, 1);
    byte[] bad = text.replaceFirst(digest, "not-a-digest").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ManifestCodec.decode(bad, "pc-1/x"))
        .isInstanceOf(EngineException.class)
        .hasMessageContaining("Manifest pc-1/x is damaged")
        .hasMessageContaining("'not-a-digest' is not 64 hex digits");
  }

  @Test
  void a_file_reads_back_as_a_stream_equal_to_what_was_written(@TempDir Path dir) throws Exception {
    // digests and fingerprints over many pages, so the parser refills its buffer many times
    List<String> chunks = HexListTest.sample(50_000, 3);
    List<String> prints = chunks.stream().map(c -> c == null ? null : c.substring(0, 32)).toList();
    Manifest big = sample(chunks, prints);
    ManifestCodec.Sealed sealed = ManifestCodec.seal(big);
    Path file = dir.resolve("m.json");
    Files.write(file, sealed.bytes());
    Manifest read = ManifestCodec.read(file, "pc-1/m");
    assertThat(read).isEqualTo(sealed.manifest());
    assertThat(read.disks().getFirst().chunks()).isEqualTo(chunks);
    assertThat(read.disks().getFirst().fingerprints()).isEqualTo(prints);
  }
}
