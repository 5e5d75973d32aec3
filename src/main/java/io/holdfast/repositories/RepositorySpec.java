package io.holdfast.repositories;

/**
 * A repository as an admin writes it.
 *
 * @param name letters, digits, dot, dash and underscore, e.g. nas-1
 * @param path the folder, absolute, as the workers that use it see it (a local disk or a mounted
 *     share); a worker makes the repository there with its first backup
 * @param maxJobs how many jobs may use it at once, 1 to 64; null for 4
 * @param encrypted whether the worker of its first backup makes it encrypted, with the passphrase
 *     the workers hold (the console never does); chosen when it is added; null for false
 */
public record RepositorySpec(String name, String path, Integer maxJobs, Boolean encrypted) {}
