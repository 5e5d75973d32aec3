package io.holdfast.testing;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Rows that console tests put straight into the catalogue, for what only a worker would otherwise
 * make: a repository somewhere, an image in it, a machine gone quiet.
 */
public final class Catalogue {

  private Catalogue() {}

  /** A repository named {@code label} plus a unique suffix, at {@code path}; returns its id. */
  public static long repository(Connection c, String label, String path, int maxJobs)
      throws SQLException {
    return Sql.single(
        c,
        "insert into repository (name, path, max_jobs, created_at) values ('"
            + label
            + "-"
            + System.nanoTime()
            + "', '"
            + path
            + "', "
            + maxJobs
            + ", now()) returning id");
  }

  /**
   * An image of {@code machine} in {@code repo} (1 MiB logical, 512 KiB used, 256 KiB stored, no
   * disks) made at the SQL time {@code createdAt}, such as {@code now() - interval '1 day'};
   * returns its id.
   */
  public static long image(Connection c, long repo, long machine, String manifest, String createdAt)
      throws SQLException {
    return Sql.single(
        c,
        "insert into image (repository_id, machine_id, manifest_id, created_at, logical_bytes,"
            + " used_bytes, stored_bytes, disks) values ("
            + repo
            + ", "
            + machine
            + ", '"
            + manifest
            + "', "
            + createdAt
            + ", 1048576, 524288, 262144, '[]') returning id");
  }

  /** Makes a machine last seen {@code ago} (an SQL interval, such as '2 days') ago: offline. */
  public static void lastSeen(Connection c, long machine, String ago) throws SQLException {
    try (var s = c.createStatement()) {
      s.executeUpdate(
          "update machine set last_seen_at = now() - interval '" + ago + "' where id = " + machine);
    }
  }
}
