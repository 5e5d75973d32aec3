package io.holdfast.engine.fs;

/**
 * A filesystem's metadata does not add up. Never escapes {@link UsedBlocks}: the partition is then
 * imaged sector by sector and the reason recorded.
 */
class FilesystemException extends Exception {

  FilesystemException(String message) {
    super(message);
  }
}
