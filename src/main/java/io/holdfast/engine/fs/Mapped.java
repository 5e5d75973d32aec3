package io.holdfast.engine.fs;

/**
 * What a reader that may leave allocated data out found: the bytes to image and, when it says more
 * than the bytes do (what was left out, what each logical volume held), a note for the image.
 */
record Mapped(Extents used, String note) {}
