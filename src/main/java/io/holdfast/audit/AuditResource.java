package io.holdfast.audit;

import io.holdfast.platform.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed({Role.Names.ADMIN, Role.Names.AUDITOR})
public class AuditResource {

  public record AuditPage(long total, List<AuditEventView> items) {}

  @Inject AuditService audit;
  @Inject io.quarkus.security.identity.SecurityIdentity identity;

  @GET
  public AuditPage list(
      @QueryParam("actor") String actor,
      @QueryParam("action") String action,
      @QueryParam("object") String object,
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @QueryParam("offset") @DefaultValue("0") @Min(0) int offset,
      @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(500) int limit) {
    AuditFilter filter =
        new AuditFilter(actor, action, object, instant("from", from), instant("to", to));
    return new AuditPage(audit.count(filter), audit.page(filter, offset, limit));
  }

  /** Re-checks the whole hash chain and reports the first broken link. */
  @GET
  @Path("verify")
  public ChainReport verify() {
    return audit.verifyChain();
  }

  /** Every event matching the filter as CSV (default) or JSON. The export itself is audited. */
  @GET
  @Path("export")
  @Produces({"text/csv", MediaType.APPLICATION_JSON})
  public jakarta.ws.rs.core.Response export(
      @QueryParam("format") @DefaultValue("csv") String format,
      @QueryParam("actor") String actor,
      @QueryParam("action") String action,
      @QueryParam("object") String object,
      @QueryParam("from") String from,
      @QueryParam("to") String to,
      @jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerRequest request) {
    AuditService.Export e =
        audit.export(
            new AuditFilter(actor, action, object, instant("from", from), instant("to", to)),
            format,
            identity.getPrincipal().getName(),
            io.holdfast.platform.Origins.of(request));
    return jakarta.ws.rs.core.Response.ok(e.body(), e.mediaType())
        .header("Content-Disposition", "attachment; filename=\"" + e.filename() + "\"")
        .build();
  }

  /** An ISO-8601 instant such as {@code 2026-11-22T08:00:00Z}, or null when absent. */
  private static java.time.Instant instant(String name, String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return java.time.OffsetDateTime.parse(value.trim()).toInstant();
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'"
              + name
              + "' must be a date and time with an offset, such as 2026-11-22T08:00:00Z;"
              + " got '"
              + value
              + "'.");
    }
  }
}
