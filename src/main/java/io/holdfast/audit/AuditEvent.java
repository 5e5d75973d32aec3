package io.holdfast.audit;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "audit_event")
class AuditEvent {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  Long id;

  @Column(name = "occurred_at", nullable = false)
  Instant occurredAt;

  @Column(nullable = false)
  String actor;

  @Column(nullable = false)
  String action;

  @Column(name = "object_type")
  String objectType;

  @Column(name = "object_id")
  String objectId;

  @Column(nullable = false)
  String outcome;

  @Column(name = "source_ip")
  String sourceIp;

  @Column(name = "user_agent")
  String userAgent;

  String details;

  @Column(name = "prev_hash", nullable = false)
  String prevHash;

  @Column(nullable = false)
  String hash;

  AuditEventView view() {
    return new AuditEventView(
        id,
        occurredAt,
        actor,
        action,
        objectType,
        objectId,
        AuditOutcome.fromDb(outcome),
        sourceIp,
        userAgent,
        details,
        hash);
  }
}
