package io.holdfast.audit;

import java.time.Instant;

/**
 * What to narrow the audit trail to; null or blank parts match everything.
 *
 * @param actor part of the username
 * @param action part of the action, e.g. {@code restore.}
 * @param object part of the object, as "type id" (e.g. {@code restore-request 12} or {@code user})
 * @param from events at or after this instant
 * @param to events before this instant
 */
public record AuditFilter(String actor, String action, String object, Instant from, Instant to) {

  public static final AuditFilter ALL = new AuditFilter(null, null);

  public AuditFilter(String actor, String action) {
    this(actor, action, null, null, null);
  }

  /** The filter in words, for the audit entry of an export. */
  String describe() {
    StringBuilder s = new StringBuilder();
    append(s, "actor~", actor);
    append(s, "action~", action);
    append(s, "object~", object);
    append(s, "from ", from == null ? null : from.toString());
    append(s, "to ", to == null ? null : to.toString());
    return s.toString();
  }

  private static void append(StringBuilder s, String label, String value) {
    if (value != null && !value.isBlank()) {
      s.append(", ").append(label).append(value);
    }
  }
}
