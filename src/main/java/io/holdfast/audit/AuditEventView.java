package io.holdfast.audit;

import java.time.Instant;

/** An audit event as read back from the trail. */
public record AuditEventView(
    long id,
    Instant occurredAt,
    String actor,
    String action,
    String objectType,
    String objectId,
    AuditOutcome outcome,
    String sourceIp,
    String userAgent,
    String details,
    String hash) {}
