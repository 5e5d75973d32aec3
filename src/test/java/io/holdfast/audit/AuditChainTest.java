package io.holdfast.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.agroal.api.AgroalDataSource;
import io.holdfast.platform.RequestOrigin;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

@QuarkusTest
class AuditChainTest {

  @Inject AuditService audit;
  @Inject AgroalDataSource dataSource;

  @Test
  void each_event_links_to_the_hash_of_the_one_before() {
    for (int i = 0; i < 3; i++) {
      audit.record(
          AuditEntry.of("chain-test", "test.event", AuditOutcome.SUCCESS, RequestOrigin.SYSTEM)
              .withDetails("n=" + i));
    }
    List<AuditEventView> all = audit.page(AuditFilter.ALL, 0, 1000);
    // newest first: each row's predecessor is the next one in the list
    for (int i = 0; i + 1 < all.size(); i++) {
      assertThat(prevHashOf(all.get(i).id())).isEqualTo(all.get(i + 1).hash());
    }
    assertThat(all.get(0).hash()).matches("[0-9a-f]{64}");
  }

  @Test
  void the_database_refuses_to_change_or_delete_audit_rows() throws SQLException {
    audit.record(AuditEntry.of("immutable-test", "test.event", AuditOutcome.SUCCESS, null));
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      assertThatThrownBy(() -> s.executeUpdate("update audit_event set actor = 'mallory'"))
          .hasMessageContaining("append-only");
      assertThatThrownBy(() -> s.executeUpdate("delete from audit_event"))
          .hasMessageContaining("append-only");
    }
  }

  private String prevHashOf(long id) {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        var rs = s.executeQuery("select prev_hash from audit_event where id = " + id)) {
      rs.next();
      return rs.getString(1);
    } catch (SQLException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void editing_or_deleting_rows_in_postgresql_is_detected_and_located() throws SQLException {
    for (int i = 0; i < 3; i++) {
      audit.record(
          AuditEntry.of("tamper-test", "test.event", AuditOutcome.SUCCESS, null)
              .withDetails("n=" + i));
    }
    assertThat(audit.verifyChain().intact()).isTrue();
    List<AuditEventView> newest = audit.page(new AuditFilter("tamper-test", null), 0, 3);
    long middle = newest.get(1).id();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("alter table audit_event disable trigger audit_event_no_update");
      try {
        s.executeUpdate("update audit_event set actor = 'mallory' where id = " + middle);
        ChainReport edited = audit.verifyChain();
        assertThat(edited.intact()).isFalse();
        assertThat(edited.firstBrokenId()).isEqualTo(middle);
        assertThat(edited.problem()).contains("altered");
        s.executeUpdate("update audit_event set actor = 'tamper-test' where id = " + middle);
        assertThat(audit.verifyChain().intact()).isTrue();

        s.executeUpdate(
            "create temp table saved as select * from audit_event where id = " + middle);
        s.executeUpdate("delete from audit_event where id = " + middle);
        ChainReport deleted = audit.verifyChain();
        assertThat(deleted.intact()).isFalse();
        assertThat(deleted.firstBrokenId()).isEqualTo(newest.get(0).id());
        assertThat(deleted.problem()).contains("deleted or inserted");
        s.executeUpdate("insert into audit_event select * from saved");
        assertThat(audit.verifyChain().intact()).isTrue();
      } finally {
        s.execute("alter table audit_event enable trigger audit_event_no_update");
      }
    }
  }
}
