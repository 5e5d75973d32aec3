package io.holdfast.testing;

import io.agroal.api.AgroalDataSource;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * A machine as console tests need one: its worker enrolled through the real API and reported one
 * disk (disk0, /dev/vdz).
 *
 * @param name its hostname, unique to the test
 * @param credential its worker's credential, for {@link WorkerCalls}
 */
public record TestMachine(long id, String name, String credential) {

  /** Enrols a worker for a new machine named {@code label} plus a unique suffix. */
  public static TestMachine enrol(AgroalDataSource db, String label) throws SQLException {
    String host = label + "-" + System.nanoTime();
    String credential = WorkerCalls.enrolled(host);
    WorkerCalls.inventory(credential, host, "/dev/vdz");
    try (Connection c = db.getConnection()) {
      long id =
          Sql.single(c, "select machine_id from worker where id = " + credential.split("_")[1]);
      return new TestMachine(id, host, credential);
    }
  }
}
