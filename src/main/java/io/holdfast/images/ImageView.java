package io.holdfast.images;

import java.time.Instant;

/**
 * An image version in the catalogue.
 *
 * @param verifyStatus {@code sound}, {@code damaged} or null when never verified
 */
public record ImageView(
    long id,
    long machineId,
    String machine,
    long repositoryId,
    String manifestId,
    Instant created,
    long logicalBytes,
    long usedBytes,
    long storedBytes,
    Instant verifiedAt,
    String verifyStatus,
    String verifyDetail) {}
