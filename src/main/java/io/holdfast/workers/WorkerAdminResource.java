package io.holdfast.workers;

import io.holdfast.platform.Origins;
import io.holdfast.platform.Role;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Enrolment tokens and workers, for admins and their scripts. */
@Path("/api/v1/workers")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.Names.ADMIN)
public class WorkerAdminResource {

  public record TokenRequest(String note) {}

  @Inject WorkerService workers;
  @Inject SecurityIdentity identity;

  @POST
  @Path("tokens")
  @Consumes(MediaType.APPLICATION_JSON)
  public Response createToken(TokenRequest body, @Context HttpServerRequest request) {
    NewToken t =
        workers.createToken(
            body == null ? null : body.note(),
            identity.getPrincipal().getName(),
            Origins.of(request));
    return Response.status(Response.Status.CREATED).entity(t).build();
  }

  @GET
  @Path("tokens")
  public List<TokenView> tokens(
      @QueryParam("offset") @DefaultValue("0") int offset,
      @QueryParam("limit") @DefaultValue("50") int limit) {
    return workers.tokens(offset, Math.min(limit, 500));
  }

  @GET
  public List<WorkerView> list(
      @QueryParam("offset") @DefaultValue("0") int offset,
      @QueryParam("limit") @DefaultValue("50") int limit) {
    return workers.workers(offset, Math.min(limit, 500));
  }

  @POST
  @Path("{id}/revoke")
  public Response revoke(@PathParam("id") long id, @Context HttpServerRequest request) {
    workers.revoke(id, identity.getPrincipal().getName(), Origins.of(request));
    return Response.noContent().build();
  }
}
