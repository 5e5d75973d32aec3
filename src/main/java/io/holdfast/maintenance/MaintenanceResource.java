package io.holdfast.maintenance;

import io.holdfast.platform.Origins;
import io.holdfast.platform.Role;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;

/** Repositories and their maintenance, for people and scripts. */
@Path("/api/v1/repositories")
@Produces(MediaType.APPLICATION_JSON)
public class MaintenanceResource {

  @Inject MaintenanceService maintenance;
  @Inject SecurityIdentity identity;

  @GET
  @Path("")
  @RolesAllowed({Role.Names.ADMIN, Role.Names.OPERATOR, Role.Names.AUDITOR})
  public List<RepositoryStatus> list() {
    return maintenance.statuses();
  }

  /** Queues garbage collection and recompression of the repository now. */
  @POST
  @Path("{id}/maintenance")
  @RolesAllowed({Role.Names.ADMIN, Role.Names.OPERATOR})
  public Response maintain(@PathParam("id") long id, @Context HttpServerRequest request) {
    long job =
        maintenance.runNow(id, identity.getPrincipal().getName(), "api", Origins.of(request));
    return Response.created(URI.create("/api/v1/jobs/" + job)).entity(Map.of("job", job)).build();
  }
}
