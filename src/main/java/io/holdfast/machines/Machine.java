package io.holdfast.machines;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "machine")
class Machine {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  Long id;

  @Column(nullable = false, unique = true)
  String name;

  @Column(nullable = false)
  String hostname;

  String os;

  @Column(name = "cpu_count")
  Integer cpuCount;

  @Column(name = "memory_bytes")
  Long memoryBytes;

  @Column(name = "agent_version")
  String agentVersion;

  @Column(name = "created_at", nullable = false)
  Instant createdAt;

  @Column(name = "last_seen_at")
  Instant lastSeenAt;

  /** When an admin retired it (taken out of service), or null while it is in service. */
  @Column(name = "retired_at")
  Instant retiredAt;

  @Column(name = "retired_by")
  String retiredBy;

  @Column(name = "retired_reason")
  String retiredReason;
}
