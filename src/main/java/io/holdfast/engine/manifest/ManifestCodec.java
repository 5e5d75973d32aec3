package io.holdfast.engine.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.chunk.Digests;
import java.io.IOException;

/**
 * Manifest bytes: canonical JSON (properties sorted, no whitespace), UTF-8, with a digest over the
 * same form with the digest left out. A manifest whose digest does not match is refused.
 */
public final class ManifestCodec {

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
          .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private ManifestCodec() {}

  public static byte[] encode(Manifest m) {
    return encodeSealed(seal(m));
  }

  /** The manifest with its digest set. */
  public static Manifest seal(Manifest m) {
    return m.withDigest(digestOf(m));
  }

  /** The bytes of a manifest {@link #seal} returned. */
  public static byte[] encodeSealed(Manifest sealed) {
    try {
      return JSON.writeValueAsBytes(sealed);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("manifest cannot be written as JSON", e);
    }
  }

  /** Parses and checks a manifest; {@code where} names it in error messages. */
  public static Manifest decode(byte[] bytes, String where) {
    Manifest m;
    try {
      m = JSON.readValue(bytes, Manifest.class);
    } catch (IOException e) {
      throw new EngineException(
          "Manifest "
              + where
              + " is damaged or truncated ("
              + bytes.length
              + " bytes): "
              + e.getMessage());
    }
    if (m == null || m.format() != Manifest.FORMAT) {
      throw new EngineException(
          "Manifest " + where + " has unsupported format " + (m == null ? "null" : m.format()));
    }
    if (m.digest() == null || !m.digest().equals(digestOf(m))) {
      throw new EngineException(
          "Manifest " + where + " does not match its digest: it was altered or damaged.");
    }
    if (m.disks() == null) {
      throw new EngineException("Manifest " + where + " lists no disks.");
    }
    return m;
  }

  static String digestOf(Manifest m) {
    try {
      byte[] canonical = JSON.writeValueAsBytes(m.withDigest(null));
      return Digests.sha256(canonical, 0, canonical.length);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String toText(Object o) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
