package io.holdfast.audit;

/** How an audited action ended. */
public enum AuditOutcome {
  SUCCESS,
  FAILURE,
  DENIED;

  String dbValue() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  static AuditOutcome fromDb(String value) {
    return valueOf(value.toUpperCase(java.util.Locale.ROOT));
  }
}
