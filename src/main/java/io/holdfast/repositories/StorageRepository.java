package io.holdfast.repositories;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A place images live; workers read and write it directly. */
@Entity
@Table(name = "repository")
class StorageRepository {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  Long id;

  @Column(nullable = false, unique = true)
  String name;

  @Column(nullable = false)
  String path;

  @Column(name = "max_jobs", nullable = false)
  int maxJobs;

  /** Made encrypted by the worker of its first backup, with that worker's passphrase. */
  @Column(nullable = false)
  boolean encrypted;

  @Column(name = "created_at", nullable = false)
  Instant createdAt;

  /** Bytes its packs took when maintenance last ran (the worker measures them), or null. */
  @Column(name = "stored_bytes")
  Long storedBytes;

  @Column(name = "maintained_at")
  Instant maintainedAt;
}
