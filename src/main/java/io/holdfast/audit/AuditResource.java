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
}
