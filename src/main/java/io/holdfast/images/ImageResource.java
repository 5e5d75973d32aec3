package io.holdfast.images;

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

@Path("/api/v1/images")
@Produces(MediaType.APPLICATION_JSON)
@PermitAll
public class ImageResource {

  public record ImagePage(long total, List<ImageView> items) {}

  @Inject ImageService images;

  @GET
  public ImagePage list(
      @QueryParam("machine") Long machine,
      @QueryParam("offset") @DefaultValue("0") int offset,
      @QueryParam("limit") @DefaultValue("50") int limit) {
    return new ImagePage(images.count(machine), images.page(machine, offset, Math.min(limit, 500)));
  }

  @GET
  @Path("{id}")
  public ImageView get(@PathParam("id") long id) {
    return images.get(id).orElseThrow(NotFoundException::new);
  }
}
