package io.holdfast.machines;

import io.holdfast.platform.Origins;
import io.holdfast.platform.Role;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

@Path("/api/v1/machines")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class MachineResource {

  public record MachinePage(long total, List<MachineOverview> items) {}

  /**
   * @param reason why, for the audit trail; required
   */
  public record RetireRequest(String reason) {}

  @Inject MachineService machines;
  @Inject SecurityIdentity identity;

  @GET
  public MachinePage list(
      @QueryParam("q") String q,
      @QueryParam("offset") @DefaultValue("0") int offset,
      @QueryParam("limit") @DefaultValue("50") int limit) {
    return new MachinePage(machines.count(q), machines.page(q, offset, Math.min(limit, 500)));
  }

  @GET
  @Path("{id}")
  public MachineDetail get(@PathParam("id") long id) {
    return machines.detail(id).orElseThrow(NotFoundException::new);
  }

  /** Takes a machine out of service for good; answers with the machine as it is then. */
  @POST
  @Path("{id}/retire")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(Role.Names.ADMIN)
  public MachineDetail retire(
      @PathParam("id") long id,
      @Valid @NotNull RetireRequest body,
      @Context HttpServerRequest request) {
    machines.retire(id, body.reason(), identity.getPrincipal().getName(), Origins.of(request));
    return machines.detail(id).orElseThrow(NotFoundException::new);
  }
}
