package io.holdfast.platform;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * An RFC 9457 problem: what went wrong, in words a person can act on.
 *
 * @param type a URI naming the kind of problem, or {@code about:blank}
 * @param title a short summary that does not change between occurrences
 * @param detail what happened this time and what to do about it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance) {

  public static final String MEDIA_TYPE = "application/problem+json";
  public static final MediaType JSON = MediaType.valueOf(MEDIA_TYPE);

  public static Response response(Response.Status status, String title, String detail) {
    return Response.status(status)
        .type(JSON)
        .entity(new Problem("about:blank", title, status.getStatusCode(), detail, null))
        .build();
  }
}
