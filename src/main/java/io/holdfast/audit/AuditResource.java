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
      @QueryParam("offset") @DefaultValue("0") @Min(0) int offset,
      @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(500) int limit) {
    AuditFilter filter = new AuditFilter(actor, action);
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
      @jakarta.ws.rs.core.Context io.vertx.core.http.HttpServerRequest request) {
    AuditService.Export e =
        audit.export(
            new AuditFilter(actor, action),
            format,
            identity.getPrincipal().getName(),
            io.holdfast.platform.Origins.of(request));
    return jakarta.ws.rs.core.Response.ok(e.body(), e.mediaType())
        .header("Content-Disposition", "attachment; filename=\"" + e.filename() + "\"")
        .build();
  }
}
