package io.holdfast.maintenance;

import io.holdfast.platform.Origins;
import io.holdfast.platform.Role;
import io.holdfast.repositories.RepositoryInfo;
import io.holdfast.repositories.RepositoryService;
import io.holdfast.repositories.RepositorySpec;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
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
  @Inject RepositoryService repositories;
  @Inject SecurityIdentity identity;

  @GET
  @Path("")
  @RolesAllowed({Role.Names.ADMIN, Role.Names.OPERATOR, Role.Names.AUDITOR})
  public List<RepositoryStatus> list() {
    return maintenance.statuses();
  }

  /** Adds a repository (admins); a worker makes it in its folder with the first backup there. */
  @POST
  @Path("")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(Role.Names.ADMIN)
  public Response create(RepositorySpec spec, @Context HttpServerRequest request) {
    RepositoryInfo r =
        repositories.create(spec, identity.getPrincipal().getName(), Origins.of(request));
    return Response.created(URI.create("/api/v1/repositories/" + r.id())).entity(r).build();
  }

  /** Renames a repository or changes its job limit; its folder only while it holds nothing. */
  @PUT
  @Path("{id}")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(Role.Names.ADMIN)
  public RepositoryInfo update(
      @PathParam("id") long id, RepositorySpec spec, @Context HttpServerRequest request) {
    return repositories.update(id, spec, identity.getPrincipal().getName(), Origins.of(request));
  }

  /** Removes a repository nothing ever used; its folder is left alone. */
  @DELETE
  @Path("{id}")
  @RolesAllowed(Role.Names.ADMIN)
  public Response delete(@PathParam("id") long id, @Context HttpServerRequest request) {
    repositories.delete(id, identity.getPrincipal().getName(), Origins.of(request));
    return Response.noContent().build();
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
