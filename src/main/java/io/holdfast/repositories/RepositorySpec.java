package io.holdfast.repositories;

/**
 * A repository as an admin writes it.
 *
 * @param name letters, digits, dot, dash and underscore, e.g. nas-1
 * @param path the folder, absolute, as the workers that use it see it (a local disk or a mounted
 *     share); a worker makes the repository there with its first backup
 * @param maxJobs how many jobs may use it at once, 1 to 64; null for 4
 */
public record RepositorySpec(String name, String path, Integer maxJobs) {}
