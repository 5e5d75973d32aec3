package io.holdfast.machines;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.holdfast.testing.TestMachine;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The dashboard's unprotected machines: no image, or only old ones, in the configured window. */
@QuarkusTest
class UnprotectedTest {

  @Inject MachineService machines;
  @Inject AgroalDataSource db;

  @Test
  void a_machine_counts_as_unprotected_until_it_has_a_recent_image() throws Exception {
    long before = machines.unprotected(5).total();
    TestMachine m = TestMachine.enrol(db, "bare");
    MachineService.Unprotected now = machines.unprotected(1000);
    assertThat(now.total()).isEqualTo(before + 1);
    assertThat(now.after()).isEqualTo(Duration.ofDays(2));
    assertThat(now.names()).contains(m.name() + " (never backed up)");

    // an image of three days ago does not protect it; a pruned one never counts
    image(m, "old-" + m.name(), "now() - interval '3 days'", false);
    image(m, "gone-" + m.name(), "now()", true);
    assertThat(machines.unprotected(1000).names())
        .anyMatch(n -> n.startsWith(m.name() + " (last image "));
    assertThat(machines.unprotected(5).total()).isEqualTo(before + 1);

    image(m, "new-" + m.name(), "now() - interval '1 hour'", false);
    assertThat(machines.unprotected(5).total()).isEqualTo(before);
    assertThat(machines.unprotected(1000).names()).noneMatch(n -> n.startsWith(m.name() + " "));
  }

  private void image(TestMachine m, String manifest, String created, boolean pruned)
      throws Exception {
    try (Connection c = db.getConnection()) {
      c.createStatement()
          .executeUpdate(
              "insert into image (repository_id, machine_id, manifest_id, created_at, logical_bytes,"
                  + " used_bytes, stored_bytes, disks, pruned_at) values ((select id from repository"
                  + " where name = 'default'), "
                  + m.id()
                  + ", '"
                  + manifest
                  + "', "
                  + created
                  + ", 1048576, 524288, 262144, '[]', "
                  + (pruned ? "now()" : "null")
                  + ")");
    }
  }
}
