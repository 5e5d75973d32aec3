package io.holdfast.engine.chunk;

import io.holdfast.engine.EngineException;

/** A stored chunk failed a check: header, CRC, decryption, decompression or its hash. */
public class ChunkCorruptException extends EngineException {

  public ChunkCorruptException(String message) {
    super(message);
  }
}
