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
}
