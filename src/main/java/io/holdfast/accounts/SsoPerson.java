package io.holdfast.accounts;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/**
 * Someone who signed in through Keycloak, as their last sign-in described them. Keycloak stays the
 * authority; this only lets Holdfast reach them (e.g. tell approvers about a waiting restore).
 */
@Entity
@Table(name = "sso_person")
class SsoPerson {

  @Id String username;

  @Column(name = "display_name")
  String displayName;

  String email;

  /** Their roles at the last sign-in, comma-separated. */
  @Column(nullable = false)
  String roles;

  @Column(name = "last_signin_at", nullable = false)
  Instant lastSigninAt;
}
