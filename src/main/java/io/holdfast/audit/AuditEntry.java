package io.holdfast.audit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.holdfast.platform.RequestOrigin;

/**
 * One thing to put on the audit trail.
 *
 * @param actor who did it: a username, or {@code system} for Holdfast itself
 * @param action a dotted verb such as {@code signin} or {@code user.create}
 * @param objectType the kind of thing acted on, or null
 * @param objectId which one, or null
 * @param details free text or JSON with before/after values, or null
 */
public record AuditEntry(
    String actor,
    String action,
    String objectType,
    String objectId,
    AuditOutcome outcome,
    RequestOrigin origin,
    String details) {

  private static final ObjectMapper JSON = new ObjectMapper();

  public static AuditEntry of(
      String actor, String action, AuditOutcome outcome, RequestOrigin origin) {
    return new AuditEntry(actor, action, null, null, outcome, origin, null);
  }

  public AuditEntry on(String type, String id) {
    return new AuditEntry(actor, action, type, id, outcome, origin, details);
  }

  /** Details that record one field's value before and after the change, as JSON. */
  public AuditEntry withChange(String field, Object before, Object after) {
    var json = JSON.createObjectNode();
    json.putObject("before").putPOJO(field, before);
    json.putObject("after").putPOJO(field, after);
    return withDetails(json.toString());
  }

  public AuditEntry withDetails(String text) {
    return new AuditEntry(actor, action, objectType, objectId, outcome, origin, text);
  }
}
