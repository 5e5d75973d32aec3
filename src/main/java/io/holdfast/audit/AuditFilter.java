package io.holdfast.audit;

/** What to narrow the audit trail to; null or blank parts match everything. */
public record AuditFilter(String actor, String action) {

  public static final AuditFilter ALL = new AuditFilter(null, null);
}
