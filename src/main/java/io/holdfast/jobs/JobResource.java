package io.holdfast.jobs;

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
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.Map;

/** Jobs for people and scripts: start backups, verifies and restores; watch and cancel them. */
@Path("/api/v1/jobs")
@Produces(MediaType.APPLICATION_JSON)
public class JobResource {

  /** Back up a machine: all its disks, or the one named. */
  public record BackupRequest(@NotNull Long machine, String disk) {}

  public record VerifyRequest(@NotNull Long image) {}

  /**
   * One image, or every image of a retired machine.
   *
   * @param reason why, for the audit trail; required, since deleting a backup cannot be undone
   */
  public record DeleteImageRequest(Long image, Long machine, String reason) {}

  /**
   * Export a disk of an image as a file on a machine.
   *
   * @param machine the machine whose worker writes the file; null for the image's own
   * @param disk the disk's name; null for an image of one disk
   * @param partition only this partition, as a disk of its own; null for the whole disk
   * @param format vhdx (default), vhd (fixed, as Azure takes it) or raw
   * @param splitBytes the size of each numbered part; null or 0 for one file
   */
  public record ExportRequest(
      @NotNull Long image,
      Long machine,
      String disk,
      Integer partition,
      @NotNull String target,
      String format,
      Long splitBytes) {}

  /**
   * A folder to list: {@code path} in the filesystem of {@code partition} (null: a disk without
   * partitions) of {@code disk} (null: the image's only disk).
   */
  public record ListFilesRequest(
      @NotNull Long image, String disk, Integer partition, String path) {}

  public record JobPage(long total, List<JobView> items) {}

  @Inject JobService jobs;
  @Inject SecurityIdentity identity;

  @GET
  @Path("")
  @PermitAll
  public JobPage list(
      @QueryParam("state") String state,
      @QueryParam("type") String type,
      @QueryParam("machine") Long machine,
      @QueryParam("since") String since,
      @QueryParam("offset") @DefaultValue("0") int offset,
      @QueryParam("limit") @DefaultValue("50") int limit) {
    JobFilter f =
        new JobFilter(
            state == null ? null : parseState(state), type, machine, null, parseInstant(since));
    return new JobPage(jobs.count(f), jobs.page(f, offset, Math.min(limit, 500)));
  }

  @GET
  @Path("{id}")
  @PermitAll
  public JobView get(@PathParam("id") long id) {
    return jobs.get(id).orElseThrow(NotFoundException::new);
  }

  @GET
  @Path("{id}/log")
  @PermitAll
  public List<JobLogLine> log(
      @PathParam("id") long id, @QueryParam("after") @DefaultValue("0") long after) {
    return jobs.logs(id, after);
  }

  @POST
  @Path("backup")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed({Role.Names.ADMIN, Role.Names.OPERATOR, Role.Names.HELPDESK})
  public Response backup(@Valid @NotNull BackupRequest body, @Context HttpServerRequest request) {
    return created(
        jobs.enqueueBackup(body.machine(), body.disk(), user(), "api", Origins.of(request)));
  }

  @POST
  @Path("verify")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed({Role.Names.ADMIN, Role.Names.OPERATOR})
  public Response verify(@Valid @NotNull VerifyRequest body, @Context HttpServerRequest request) {
    return created(jobs.enqueueVerify(body.image(), user(), "api", Origins.of(request)));
  }

  /**
   * Asks a worker to list one folder of an image's filesystem (201 with the job); the listing is
   * read from {@code GET /api/v1/jobs/{job}/listing} once the job ends.
   */
  @POST
  @Path("list-files")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed({Role.Names.ADMIN, Role.Names.OPERATOR, Role.Names.HELPDESK})
  public Response listFiles(
      @Valid @NotNull ListFilesRequest body, @Context HttpServerRequest request) {
    return created(
        jobs.enqueueListing(
            body.image(), body.disk(), body.partition(), body.path(), user(), Origins.of(request)));
  }

  /** A folder listing, for the person who asked for it (and admins). */
  @GET
  @Path("{id}/listing")
  @RolesAllowed({Role.Names.ADMIN, Role.Names.OPERATOR, Role.Names.HELPDESK})
  public JobService.Listing listing(@PathParam("id") long id) {
    JobView j = jobs.get(id).orElseThrow(NotFoundException::new);
    if (!user().equals(j.requestedBy()) && !identity.hasRole(Role.Names.ADMIN)) {
      throw new io.holdfast.platform.NotPermitted(
          "Listing " + id + " was asked for by someone else.");
    }
    return jobs.listing(id).orElseThrow(NotFoundException::new);
  }

  @POST
  @Path("export")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(Role.Names.ADMIN)
  public Response export(@Valid @NotNull ExportRequest body, @Context HttpServerRequest request) {
    return created(
        jobs.enqueueExport(
            body.image(),
            body.disk(),
            body.partition(),
            body.machine(),
            body.target(),
            body.format(),
            body.splitBytes() == null ? 0 : body.splitBytes(),
            user(),
            Origins.of(request)));
  }

  /**
   * Queues a prune job that deletes one image (201 with the job, like the other job types), or the
   * prune jobs that delete every image of a retired machine (201 with {@code jobs}, one per
   * repository).
   */
  @POST
  @Path("prune")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(Role.Names.ADMIN)
  public Response prune(
      @Valid @NotNull DeleteImageRequest body, @Context HttpServerRequest request) {
    if ((body.image() == null) == (body.machine() == null)) {
      throw new IllegalArgumentException(
          "Name either the image to delete (image) or the retired machine whose images all go"
              + " (machine).");
    }
    if (body.image() != null) {
      return created(
          jobs.enqueueImageDelete(body.image(), body.reason(), user(), Origins.of(request)));
    }
    List<Long> ids =
        jobs.enqueueMachineImagesDelete(body.machine(), body.reason(), user(), Origins.of(request));
    return Response.status(Response.Status.CREATED).entity(Map.of("jobs", ids)).build();
  }

  @POST
  @Path("{id}/cancel")
  @RolesAllowed({Role.Names.ADMIN, Role.Names.OPERATOR, Role.Names.HELPDESK})
  public Response cancel(@PathParam("id") long id, @Context HttpServerRequest request) {
    jobs.cancel(id, user(), Origins.of(request));
    return Response.noContent().build();
  }

  @POST
  @Path("{id}/retry")
  @RolesAllowed({Role.Names.ADMIN, Role.Names.OPERATOR, Role.Names.HELPDESK})
  public Response retry(@PathParam("id") long id, @Context HttpServerRequest request) {
    return created(jobs.retry(id, user(), Origins.of(request)));
  }

  private String user() {
    return identity.getPrincipal().getName();
  }

  private static Response created(long jobId) {
    return Response.created(URI.create("/api/v1/jobs/" + jobId))
        .entity(Map.of("job", jobId))
        .build();
  }

  private static java.time.Instant parseInstant(String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    try {
      return java.time.Instant.parse(s.trim());
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException(
          "'since' must be an ISO-8601 instant such as 2026-01-31T08:00:00Z, not '" + s + "'.");
    }
  }

  private static JobState parseState(String s) {
    try {
      return JobState.fromId(s);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "Unknown job state '"
              + s
              + "'; use queued, assigned, running, succeeded, failed or cancelled.");
    }
  }
}
