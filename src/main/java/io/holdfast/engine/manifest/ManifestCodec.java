package io.holdfast.engine.manifest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.chunk.Digests;
import io.holdfast.engine.disk.DiskLayout;
import io.holdfast.engine.fs.UsedBlocks.PartitionImaging;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Manifest bytes: canonical JSON (properties sorted, no whitespace), UTF-8, with a digest over the
 * same form with the digest left out. A manifest whose digest does not match is refused.
 *
 * <p>Manifests are written and read as streams, never whole in memory: at about 100 bytes of JSON
 * per chunk, a manifest is 3.3 MB for an 8 GiB disk and 400 MB for 1 TB of used data. Writing
 * serializes twice, once into SHA-256 alone and once, with that digest, to the file. Reading parses
 * with Jackson's streaming parser (chunk lists go straight into {@link HexList}s) and hashes the
 * bytes on their way to it, with the digest value put back to {@code null}: canonical JSON puts the
 * digest within its first few hundred bytes, after {@code chunkSize}, {@code compression} and
 * {@code created}.
 */
public final class ManifestCodec {

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
          .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
          .build();

  private static final byte[] DIGEST_OPEN = "\"digest\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

  /**
   * Where a manifest's digest must start: canonical JSON puts it in the first few hundred bytes.
   */
  private static final int HEAD = 4096;

  private static final TypeReference<List<PartitionImaging>> IMAGING = new TypeReference<>() {};
  private static final TypeReference<List<Integer>> NUMBERS = new TypeReference<>() {};

  private ManifestCodec() {}

  /** A manifest with its digest set, and its bytes. */
  public record Sealed(Manifest manifest, byte[] bytes) {}

  /** The manifest with its digest set: SHA-256 of its canonical JSON with the digest null. */
  public static Manifest digested(Manifest m) {
    MessageDigest md = Digests.newSha256();
    try (OutputStream sink = new DigestOutputStream(OutputStream.nullOutputStream(), md)) {
      JSON.writeValue(sink, m.withDigest(null));
    } catch (IOException e) {
      throw new IllegalStateException("manifest cannot be written as JSON", e);
    }
    return m.withDigest(HexFormat.of().formatHex(md.digest()));
  }

  /** Writes the canonical JSON of {@code m}, as {@link #digested} returned it, to {@code out}. */
  public static void write(Manifest m, OutputStream out) throws IOException {
    JSON.writeValue(out, m);
  }

  /** {@link #digested} and its bytes, in memory. */
  public static Sealed seal(Manifest m) {
    Manifest sealed = digested(m);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      write(sealed, out);
    } catch (IOException e) {
      throw new IllegalStateException("manifest cannot be written as JSON", e);
    }
    return new Sealed(sealed, out.toByteArray());
  }

  public static byte[] encode(Manifest m) {
    return seal(m).bytes();
  }

  /** Parses and checks a manifest in memory; {@code where} names it in error messages. */
  public static Manifest decode(byte[] bytes, String where) {
    try {
      return decode(new ByteArrayInputStream(bytes), bytes.length, where);
    } catch (IOException e) {
      throw new IllegalStateException("reading bytes in memory failed", e);
    }
  }

  /** Parses and checks the manifest file {@code file}, streaming; {@code where} names it. */
  public static Manifest read(Path file, String where) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return decode(in, Files.size(file), where);
    }
  }

  private static Manifest decode(InputStream stored, long size, String where) throws IOException {
    StoredDigest in = new StoredDigest(stored);
    Manifest m;
    try (JsonParser p = JSON.createParser(in)) {
      m = readManifest(p);
    } catch (IOException | RuntimeException e) {
      if (in.failed != null) {
        throw in.failed; // the file, not its content
      }
      throw new EngineException(
          "Manifest " + where + " is damaged or truncated (" + size + " bytes): " + e.getMessage());
    }
    String actual = in.finish();
    if (m.format() != Manifest.FORMAT) {
      throw new EngineException("Manifest " + where + " has unsupported format " + m.format());
    }
    if (m.digest() == null || !m.digest().equals(actual)) {
      throw new EngineException(
          "Manifest " + where + " does not match its digest: it was altered or damaged.");
    }
    if (m.disks() == null) {
      throw new EngineException("Manifest " + where + " lists no disks.");
    }
    return m;
  }

  /**
   * The stored bytes on their way to the parser, hashed with the first digest value (in the first
   * {@link #HEAD} bytes) replaced by null.
   */
  private static final class StoredDigest extends InputStream {
    private final InputStream in;
    private final MessageDigest md = Digests.newSha256();
    private final byte[] head;
    private final boolean found;
    private int served;
    IOException failed;

    StoredDigest(InputStream in) throws IOException {
      this.in = in;
      this.head = in.readNBytes(HEAD);
      int at = indexOf(head, DIGEST_OPEN);
      int valueAt = at + DIGEST_OPEN.length - 1; // the opening quote
      found = at >= 0 && valueAt + 66 <= head.length && head[valueAt + 65] == '"';
      if (found) {
        md.update(head, 0, valueAt);
        md.update(NULL);
        md.update(head, valueAt + 66, head.length - valueAt - 66);
      }
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (served < head.length) {
        int n = Math.min(len, head.length - served);
        System.arraycopy(head, served, b, off, n);
        served += n;
        return n;
      }
      int n;
      try {
        n = in.read(b, off, len);
      } catch (IOException e) {
        failed = e;
        throw e;
      }
      if (n > 0) {
        md.update(b, off, n);
      }
      return n;
    }

    /** Hashes what the parser left unread; the digest, or null when the head holds none. */
    String finish() throws IOException {
      byte[] rest = new byte[8192];
      int n;
      while ((n = in.read(rest)) > 0) {
        md.update(rest, 0, n);
      }
      return found ? HexFormat.of().formatHex(md.digest()) : null;
    }
  }

  private static Manifest readManifest(JsonParser p) throws IOException {
    expect(p, p.nextToken(), JsonToken.START_OBJECT);
    int format = 0;
    int chunkSize = 0;
    long logical = 0;
    long used = 0;
    long stored = 0;
    String id = null;
    String machine = null;
    String created = null;
    String engineVersion = null;
    String compression = null;
    String parent = null;
    String digest = null;
    List<Manifest.DiskImage> disks = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      switch (field) {
        case "format" -> format = p.getIntValue();
        case "chunkSize" -> chunkSize = p.getIntValue();
        case "logicalBytes" -> logical = p.getLongValue();
        case "usedBytes" -> used = p.getLongValue();
        case "storedBytes" -> stored = p.getLongValue();
        case "id" -> id = text(p);
        case "machine" -> machine = text(p);
        case "created" -> created = text(p);
        case "engineVersion" -> engineVersion = text(p);
        case "compression" -> compression = text(p);
        case "parent" -> parent = text(p);
        case "digest" -> digest = text(p);
        case "disks" -> disks = readDisks(p);
        default -> p.skipChildren();
      }
    }
    expect(p, p.currentToken(), JsonToken.END_OBJECT);
    return new Manifest(
        format,
        id,
        machine,
        created,
        engineVersion,
        chunkSize,
        compression,
        parent,
        disks,
        logical,
        used,
        stored,
        digest);
  }

  private static List<Manifest.DiskImage> readDisks(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    expect(p, p.currentToken(), JsonToken.START_ARRAY);
    List<Manifest.DiskImage> disks = new ArrayList<>();
    while (p.nextToken() == JsonToken.START_OBJECT) {
      String name = null;
      long size = 0;
      long used = 0;
      long stored = 0;
      DiskLayout layout = null;
      List<PartitionImaging> imaging = null;
      List<Integer> partitions = null;
      List<String> chunks = null;
      List<String> fingerprints = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "name" -> name = text(p);
          case "size" -> size = p.getLongValue();
          case "usedBytes" -> used = p.getLongValue();
          case "storedBytes" -> stored = p.getLongValue();
          case "layout" -> layout = JSON.readValue(p, DiskLayout.class);
          case "imaging" -> imaging = JSON.readValue(p, IMAGING);
          case "partitions" -> partitions = JSON.readValue(p, NUMBERS);
          case "chunks" -> chunks = readHex(p, HexList.DIGEST);
          case "fingerprints" -> fingerprints = readHex(p, HexList.FINGERPRINT);
          default -> p.skipChildren();
        }
      }
      expect(p, p.currentToken(), JsonToken.END_OBJECT);
      disks.add(
          new Manifest.DiskImage(
              name, size, layout, imaging, partitions, chunks, fingerprints, used, stored));
    }
    expect(p, p.currentToken(), JsonToken.END_ARRAY);
    return List.copyOf(disks);
  }

  /** An array of hex strings and nulls (chunk digests, fingerprints). */
  private static List<String> readHex(JsonParser p, int width) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    expect(p, p.currentToken(), JsonToken.START_ARRAY);
    HexList.Appender out = new HexList.Appender(width);
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == JsonToken.VALUE_NULL) {
        out.addNull();
      } else {
        expect(p, t, JsonToken.VALUE_STRING);
        out.add(CharBuffer.wrap(p.getTextCharacters()), p.getTextOffset(), p.getTextLength());
      }
    }
    return out.build();
  }

  private static String text(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    expect(p, p.currentToken(), JsonToken.VALUE_STRING);
    return p.getText();
  }

  private static void expect(JsonParser p, JsonToken actual, JsonToken wanted) {
    if (actual != wanted) {
      throw new IllegalStateException(
          "expected "
              + wanted
              + " but found "
              + (actual == null ? "the end" : actual)
              + " at byte "
              + p.currentLocation().getByteOffset());
    }
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  public static String toText(Object o) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
