package io.holdfast.workers;

import java.time.Instant;

/** A freshly created enrolment token: {@code token} is shown this once. */
public record NewToken(long id, String token, Instant expiresAt) {}
