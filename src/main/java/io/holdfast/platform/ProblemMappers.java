package io.holdfast.platform;

import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every error the REST API can raise into problem JSON. */
class ProblemMappers {

  private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

  @ServerExceptionMapper
  Response badArgument(IllegalArgumentException e) {
    return Problem.response(Response.Status.BAD_REQUEST, "Invalid request", e.getMessage());
  }

  @ServerExceptionMapper
  Response conflict(IllegalStateException e) {
    return Problem.response(Response.Status.CONFLICT, "Not possible right now", e.getMessage());
  }

  @ServerExceptionMapper
  Response invalid(ConstraintViolationException e) {
    String detail =
        e.getConstraintViolations().stream()
            .map(v -> lastNode(v.getPropertyPath().toString()) + ": " + v.getMessage())
            .sorted()
            .collect(Collectors.joining("; "));
    return Problem.response(Response.Status.BAD_REQUEST, "Invalid request", detail);
  }

  @ServerExceptionMapper
  Response unauthorized(UnauthorizedException e) {
    return Response.fromResponse(
            Problem.response(
                Response.Status.UNAUTHORIZED,
                "Sign-in required",
                "Send valid credentials (HTTP Basic with a Holdfast account, or a bearer token)."))
        .header("WWW-Authenticate", "Basic realm=\"Holdfast\"")
        .build();
  }

  @ServerExceptionMapper
  Response notPermitted(NotPermitted e) {
    return Problem.response(Response.Status.FORBIDDEN, "Not allowed for you", e.getMessage());
  }

  @ServerExceptionMapper
  Response forbidden(ForbiddenException e) {
    return Problem.response(
        Response.Status.FORBIDDEN,
        "Not allowed for your role",
        "Your role may not do this. Ask an admin if you need it.");
  }

  @ServerExceptionMapper
  Response web(WebApplicationException e) {
    Response.Status status = Response.Status.fromStatusCode(e.getResponse().getStatus());
    if (status == null) {
      status = Response.Status.BAD_REQUEST;
    }
    // JAX-RS' own messages ("HTTP 404 Not Found") say nothing; ours say what was missing
    boolean generic = e.getMessage() == null || e.getMessage().startsWith("HTTP ");
    String detail =
        status == Response.Status.NOT_FOUND && generic
            ? "Nothing exists at this address; check the id or path."
            : e.getMessage();
    return Problem.response(status, status.getReasonPhrase(), detail);
  }

  @ServerExceptionMapper(priority = 10_000)
  Response unexpected(Exception e) {
    String ref = UUID.randomUUID().toString();
    LOG.errorf(e, "Unexpected error, reference %s", ref);
    return Problem.response(
        Response.Status.INTERNAL_SERVER_ERROR,
        "Internal error",
        "Holdfast hit an unexpected error. Nothing was changed; the server log has the details"
            + " under reference "
            + ref
            + ".");
  }

  private static String lastNode(String path) {
    int dot = path.lastIndexOf('.');
    return dot < 0 ? path : path.substring(dot + 1);
  }
}
