package io.holdfast.accounts;

import io.holdfast.audit.AuditEntry;
import io.holdfast.audit.AuditOutcome;
import io.holdfast.audit.AuditService;
import io.holdfast.platform.Origins;
import io.holdfast.platform.Role;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Keycloak sign-in for browsers. {@code /sso/*} is guarded by the OIDC code flow, so by the time
 * this runs Keycloak has signed the person in and Quarkus holds the session; what is left is to
 * audit it and go to the console. A person without any Holdfast role is signed in but sees nothing.
 */
@Path("/sso")
public class SsoResource {

  private static final org.jboss.logging.Logger LOG =
      org.jboss.logging.Logger.getLogger(SsoResource.class);

  @Inject SecurityIdentity identity;
  @Inject AuditService audit;
  @Inject Contacts contacts;

  @GET
  @Path("/login")
  public Response login(@Context HttpServerRequest request) {
    String user = identity.getPrincipal().getName();
    String role = Role.strongestOf(identity.getRoles()).map(Role::id).orElse("none");
    if (identity.getPrincipal() instanceof JsonWebToken token) {
      try {
        contacts.rememberSsoPerson(
            user, token.getClaim("name"), token.getClaim("email"), identity.getRoles());
      } catch (RuntimeException e) {
        // only notifications depend on it; the sign-in itself stands
        LOG.warnf(e, "Could not remember %s's email address from Keycloak", user);
      }
    }
    audit.record(
        AuditEntry.of(user, "signin", AuditOutcome.SUCCESS, Origins.of(request))
            .on("user", user)
            .withDetails("via Keycloak; role " + role));
    return Response.seeOther(URI.create("/")).build();
  }
}
