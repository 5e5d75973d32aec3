package io.holdfast.workers;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "enrolment_token")
class EnrolmentToken {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  Long id;

  @Column(name = "token_hash", nullable = false, unique = true)
  String tokenHash;

  String note;

  @Column(name = "created_by", nullable = false)
  String createdBy;

  @Column(name = "created_at", nullable = false)
  Instant createdAt;

  @Column(name = "expires_at", nullable = false)
  Instant expiresAt;

  @Column(name = "used_at")
  Instant usedAt;

  @Column(name = "revoked_at")
  Instant revokedAt;
}
