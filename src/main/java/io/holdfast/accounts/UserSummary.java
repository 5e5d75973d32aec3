package io.holdfast.accounts;

import io.holdfast.platform.Role;
import java.time.Instant;

/** A local account as shown to people and scripts; never carries the password hash. */
public record UserSummary(
    long id,
    String username,
    String displayName,
    Role role,
    boolean enabled,
    Instant lockedUntil,
    Instant lastLoginAt,
    String email) {}
