package io.holdfast.workers;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "worker")
class Worker {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  Long id;

  @Column(name = "machine_id", nullable = false)
  Long machineId;

  @Column(name = "secret_hash", nullable = false)
  String secretHash;

  @Column(name = "enrolled_at", nullable = false)
  Instant enrolledAt;

  @Column(name = "enrolled_with")
  Long enrolledWith;

  @Column(name = "revoked_at")
  Instant revokedAt;

  @Column(name = "last_seen_at")
  Instant lastSeenAt;

  String version;

  @Column(name = "max_jobs", nullable = false)
  int maxJobs = 2;
}
