package io.holdfast.engine.ops;

import io.holdfast.engine.store.Repository;
import java.nio.file.Path;

/**
 * A second process for {@link RecompressTest}: takes a repository's maintenance lock, says so on
 * stdout, and holds it until its stdin closes.
 */
public final class LockHolder {

  private LockHolder() {}

  public static void main(String[] args) throws Exception {
    Repository repo = Repository.open(Path.of(args[0]), null);
    try (Repository.MaintenanceLock lock = repo.lockMaintenance(args[1])) {
      System.out.println("locked");
      System.out.flush();
      while (System.in.read() >= 0) {
        // hold the lock until the test closes our stdin
      }
    }
  }
}
