package io.holdfast.restores;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "restore_request")
class RestoreRequest {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  Long id;

  @Column(name = "image_id", nullable = false)
  Long imageId;

  @Column(name = "source_machine_id", nullable = false)
  Long sourceMachineId;

  @Column(name = "target_machine_id", nullable = false)
  Long targetMachineId;

  @Column(name = "disk_name")
  String diskName;

  @Column(name = "partition_number")
  Integer partition;

  @Column(nullable = false)
  String target;

  @Column(nullable = false)
  String reason;

  @Column(nullable = false)
  String risk;

  @Column(name = "risk_reasons", nullable = false)
  String riskReasons;

  @Column(name = "requested_by", nullable = false)
  String requestedBy;

  @Column(name = "requested_at", nullable = false)
  Instant requestedAt;

  @Column(name = "expires_at", nullable = false)
  Instant expiresAt;

  @Column(nullable = false)
  String state;

  @Column(nullable = false)
  String fingerprint;

  @Column(name = "decided_by")
  String decidedBy;

  @Column(name = "decided_at")
  Instant decidedAt;

  @Column(name = "decision_comment")
  String decisionComment;

  @Column(name = "auto_approved")
  boolean autoApproved;

  @Column(name = "approved_fingerprint")
  String approvedFingerprint;

  @Column(name = "job_id")
  Long jobId;

  @Column(name = "window_start")
  Instant windowStart;

  @Column(name = "window_end")
  Instant windowEnd;

  /** A file restore's paths, one per line; null for a disk or partition restore. */
  @Column(name = "files")
  String files;

  java.util.List<String> fileList() {
    return files == null ? null : java.util.List.of(files.split("\n"));
  }
}
