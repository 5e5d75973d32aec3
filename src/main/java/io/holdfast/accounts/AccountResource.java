package io.holdfast.accounts;

import io.holdfast.platform.Origins;
import io.holdfast.platform.Role;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
public class AccountResource {

  /** Who is calling. */
  public record Me(String username, String role) {}

  /** A new local account. */
  public record NewUser(
      @NotBlank String username,
      String displayName,
      @NotNull Role role,
      @NotBlank String password,
      String email) {}

  public record UserPage(long total, List<UserSummary> items) {}

  /** What an admin changes about an account; absent fields stay as they are. */
  public record UserChange(Role role, Boolean enabled, String email) {}

  /** A new password set by an admin. */
  public record PasswordReset(@NotBlank String password) {}

  @Inject AccountService accounts;
  @Inject SecurityIdentity identity;

  @GET
  @Path("/me")
  @Authenticated
  public Me me() {
    String role = Role.strongestOf(identity.getRoles()).map(Role::id).orElse("");
    return new Me(identity.getPrincipal().getName(), role);
  }

  @GET
  @Path("/users")
  @RolesAllowed(Role.Names.ADMIN)
  public UserPage users(
      @QueryParam("offset") @DefaultValue("0") @Min(0) int offset,
      @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(500) int limit) {
    return new UserPage(accounts.count(), accounts.page(offset, limit));
  }

  @POST
  @Path("/users")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(Role.Names.ADMIN)
  public Response create(@Valid @NotNull NewUser body, @Context HttpServerRequest request) {
    AccountService.cleanEmail(body.email()); // refuse a bad address before creating anything
    UserSummary created =
        accounts.create(
            body.username(),
            body.displayName(),
            body.role(),
            body.password(),
            identity.getPrincipal().getName(),
            Origins.of(request));
    if (body.email() != null && !body.email().isBlank()) {
      created =
          accounts.setEmail(
              created.username(),
              body.email(),
              identity.getPrincipal().getName(),
              Origins.of(request));
    }
    return Response.status(Response.Status.CREATED).entity(created).build();
  }

  @PATCH
  @Path("/users/{username}")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(Role.Names.ADMIN)
  public UserSummary change(
      @PathParam("username") String username,
      @NotNull UserChange body,
      @Context HttpServerRequest request) {
    String actor = identity.getPrincipal().getName();
    UserSummary result = null;
    if (body.role() != null) {
      result = accounts.changeRole(username, body.role(), actor, Origins.of(request));
    }
    if (body.enabled() != null) {
      result = accounts.setEnabled(username, body.enabled(), actor, Origins.of(request));
    }
    if (body.email() != null) {
      result = accounts.setEmail(username, body.email(), actor, Origins.of(request));
    }
    if (result == null) {
      throw new IllegalArgumentException("Say what to change: role, enabled or email.");
    }
    return result;
  }

  @POST
  @Path("/users/{username}/password")
  @Consumes(MediaType.APPLICATION_JSON)
  @RolesAllowed(Role.Names.ADMIN)
  public UserSummary resetPassword(
      @PathParam("username") String username,
      @Valid @NotNull PasswordReset body,
      @Context HttpServerRequest request) {
    return accounts.resetPassword(
        username, body.password(), identity.getPrincipal().getName(), Origins.of(request));
  }
}
