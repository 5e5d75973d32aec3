package io.holdfast.machines;

import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

@Path("/api/v1/machines")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class MachineResource {

  public record MachinePage(long total, List<MachineOverview> items) {}

  @Inject MachineService machines;

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
}
