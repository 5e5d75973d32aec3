package io.holdfast.accounts;

import io.holdfast.platform.Role;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

@Entity
@Table(name = "app_user")
class UserAccount {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  Long id;

  @Column(nullable = false, unique = true)
  String username;

  @Column(name = "display_name", nullable = false)
  String displayName;

  @Column(name = "password_hash", nullable = false)
  String passwordHash;

  @Column(nullable = false)
  String role;

  @Column(nullable = false)
  boolean enabled = true;

  @Column(name = "failed_attempts", nullable = false)
  int failedAttempts;

  @Column(name = "locked_until")
  Instant lockedUntil;

  @Column(name = "created_at", nullable = false)
  Instant createdAt;

  @Column(name = "last_login_at")
  Instant lastLoginAt;

  /** Where notifications go, or null. */
  String email;

  UserSummary summary() {
    return new UserSummary(
        id, username, displayName, Role.fromId(role), enabled, lockedUntil, lastLoginAt, email);
  }
}
