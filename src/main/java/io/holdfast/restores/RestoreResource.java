package io.holdfast.restores;

import io.holdfast.platform.Origins;
import io.holdfast.platform.Role;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
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
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;

/** Restore requests: ask (admin, operator, helpdesk), decide (admin, never one's own), watch. */
@Path("/api/v1/restores")
@Produces(MediaType.APPLICATION_JSON)
public class RestoreResource {

  /**
   * @param files for a file restore: paths of files and folders inside the partition's filesystem
   *     ({@code /home/alice/report.odt}, or {@code C:\\Users\\alice\\report.docx}), copied into
   *     folder {@code target}; absent for a disk or partition restore
   */
  public record NewRequest(
      @NotNull Long image,
      String disk,
      Integer partition,
      @NotNull Long targetMachine,
      @NotBlank String target,
      @NotBlank String reason,
      java.time.Instant windowStart,
      java.time.Instant windowEnd,
      List<String> files) {}

  public record Decision(String comment) {}

  public record RequestPage(long total, List<RestoreRequestView> items) {}

  @Inject RestoreService restores;
  @Inject SecurityIdentity identity;

  @GET
  @PermitAll
  public RequestPage list(
      @QueryParam("state") String state,
      @QueryParam("offset") @DefaultValue("0") int offset,
      @QueryParam("limit") @DefaultValue("50") int limit) {
    return new RequestPage(
        restores.count(state), restores.page(state, offset, Math.min(limit, 500)));
  }

  @GET
  @Path("{id}")
  @PermitAll
  public RestoreRequestView get(@PathParam("id") long id) {
    return restores.get(id).orElseThrow(NotFoundException::new);
  }

  @POST
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed({Role.Names.ADMIN, Role.Names.OPERATOR, Role.Names.HELPDESK})
  public Response request(@Valid @NotNull NewRequest body, @Context HttpServerRequest request) {
    RestoreRequestView v =
        restores.request(
            new RestoreService.Spec(
                body.image(),
                body.disk(),
                body.partition(),
                body.targetMachine(),
                body.target(),
                body.reason(),
                body.windowStart(),
                body.windowEnd(),
                body.files()),
            user(),
            Origins.of(request));
    return Response.created(URI.create("/api/v1/restores/" + v.id())).entity(v).build();
  }

  @POST
  @Path("{id}/approve")
  @Consumes(MediaType.APPLICATION_JSON)
  @Authenticated // admins and the configured approver roles: RestoreService decides
  public RestoreRequestView approve(
      @PathParam("id") long id, Decision body, @Context HttpServerRequest request) {
    return restores.approve(
        id, user(), identity.getRoles(), body == null ? null : body.comment(), Origins.of(request));
  }

  @POST
  @Path("{id}/reject")
  @Consumes(MediaType.APPLICATION_JSON)
  @Authenticated // admins and the configured approver roles: RestoreService decides
  public RestoreRequestView reject(
      @PathParam("id") long id, Decision body, @Context HttpServerRequest request) {
    return restores.reject(
        id, user(), identity.getRoles(), body == null ? null : body.comment(), Origins.of(request));
  }

  @POST
  @Path("{id}/cancel")
  @RolesAllowed({Role.Names.ADMIN, Role.Names.OPERATOR, Role.Names.HELPDESK})
  public RestoreRequestView cancel(@PathParam("id") long id, @Context HttpServerRequest request) {
    return restores.cancel(id, user(), Origins.of(request));
  }

  private String user() {
    return identity.getPrincipal().getName();
  }
}
