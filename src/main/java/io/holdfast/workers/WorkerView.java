package io.holdfast.workers;

import java.time.Instant;

public record WorkerView(
    long id,
    long machineId,
    String machine,
    Instant enrolledAt,
    Instant lastSeenAt,
    String version,
    Instant revokedAt,
    boolean online) {}
