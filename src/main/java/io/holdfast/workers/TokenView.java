package io.holdfast.workers;

import java.time.Instant;

/** An enrolment token as listed; the token itself is shown only when created. */
public record TokenView(
    long id,
    String note,
    String createdBy,
    Instant createdAt,
    Instant expiresAt,
    Instant usedAt,
    Instant revokedAt,
    String state) {}
