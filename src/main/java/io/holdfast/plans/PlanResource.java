package io.holdfast.plans;

import io.holdfast.platform.Origins;
import io.holdfast.platform.Role;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
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

/**
 * Backup plans, for people and scripts: everyone signed in reads them, admins and operators change
 * them.
 */
@Path("/api/v1/plans")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class PlanResource {

  @Inject PlanService plans;
  @Inject SecurityIdentity identity;

  @GET
  @Path("")
  public List<PlanView> list() {
    return plans.all();
  }

  @GET
  @Path("{id}")
  public PlanView get(@PathParam("id") long id) {
    return plans.get(id);
  }

  /** What the plan's rules will let go after its next backup; nothing is deleted by asking. */
  @GET
  @Path("{id}/retention")
  public RetentionPreview retention(@PathParam("id") long id) {
    return plans.retentionPreview(id);
  }

  @POST
  @Path("")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed({Role.Names.ADMIN, Role.Names.OPERATOR})
  public Response create(PlanSpec spec, @Context HttpServerRequest request) {
    PlanView p = plans.create(spec, user(), Origins.of(request));
    return Response.created(URI.create("/api/v1/plans/" + p.id())).entity(p).build();
  }

  @PUT
  @Path("{id}")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed({Role.Names.ADMIN, Role.Names.OPERATOR})
  public PlanView update(
      @PathParam("id") long id, PlanSpec spec, @Context HttpServerRequest request) {
    return plans.update(id, spec, user(), Origins.of(request));
  }

  @DELETE
  @Path("{id}")
  @RolesAllowed({Role.Names.ADMIN, Role.Names.OPERATOR})
  public Response delete(@PathParam("id") long id, @Context HttpServerRequest request) {
    plans.delete(id, user(), Origins.of(request));
    return Response.noContent().build();
  }

  /**
   * Queues the plan's backups now, one per machine: {@code jobs} lists them, {@code job} is the
   * first.
   */
  @POST
  @Path("{id}/run")
  @RolesAllowed({Role.Names.ADMIN, Role.Names.OPERATOR})
  public Response run(@PathParam("id") long id, @Context HttpServerRequest request) {
    List<Long> jobs = plans.runNow(id, user(), Origins.of(request));
    return Response.created(URI.create("/api/v1/jobs/" + jobs.get(0)))
        .entity(Map.of("job", jobs.get(0), "jobs", jobs))
        .build();
  }

  private String user() {
    return identity.getPrincipal().getName();
  }
}
