package io.holdfast.repositories;

import java.time.Instant;

/**
 * A repository as other features see it.
 *
 * @param storedBytes what its chunk data took on disk when maintenance last ran; null before that
 * @param maintainedAt when maintenance last succeeded on it, or null
 * @param encrypted made encrypted, with the passphrase its workers hold
 */
public record RepositoryInfo(
    long id,
    String name,
    String path,
    int maxJobs,
    Long storedBytes,
    Instant maintainedAt,
    boolean encrypted) {}
