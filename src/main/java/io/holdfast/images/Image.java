package io.holdfast.images;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "image")
class Image {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  Long id;

  @Column(name = "repository_id", nullable = false)
  Long repositoryId;

  @Column(name = "machine_id", nullable = false)
  Long machineId;

  @Column(name = "manifest_id", nullable = false)
  String manifestId;

  @Column(name = "created_at", nullable = false)
  Instant createdAt;

  @Column(name = "logical_bytes", nullable = false)
  long logicalBytes;

  @Column(name = "used_bytes", nullable = false)
  long usedBytes;

  @Column(name = "stored_bytes", nullable = false)
  long storedBytes;

  @Column(nullable = false)
  String disks;

  /** When a plan's retention deleted its manifest; null while the image exists. */
  @Column(name = "pruned_at")
  Instant prunedAt;

  @Column(name = "verified_at")
  Instant verifiedAt;

  @Column(name = "verify_status")
  String verifyStatus;

  @Column(name = "verify_detail")
  String verifyDetail;
}
