package io.holdfast.repositories;

/** A repository as other features see it. */
public record RepositoryInfo(long id, String name, String path, int maxJobs) {}
