package io.holdfast.accounts;

import io.holdfast.audit.AuditEntry;
import io.holdfast.audit.AuditOutcome;
import io.holdfast.audit.AuditService;
import io.holdfast.platform.Origins;
import io.quarkus.oidc.IdTokenCredential;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Ends a browser session: forgets the session cookie and goes back to the login page, by way of
 * Keycloak's logout when the session came from there.
 */
@Path("/logout")
public class LogoutResource {

  @Inject SecurityIdentity identity;
  @Inject AuditService audit;

  @ConfigProperty(name = "quarkus.http.auth.form.cookie-name")
  String cookieName;

  @GET
  public Response logout(@Context HttpServerRequest request) {
    if (!identity.isAnonymous()) {
      String user = identity.getPrincipal().getName();
      audit.record(
          AuditEntry.of(user, "signout", AuditOutcome.SUCCESS, Origins.of(request))
              .on("user", user));
    }
    NewCookie expired =
        new NewCookie.Builder(cookieName).value("").path("/").maxAge(0).httpOnly(true).build();
    // A Keycloak session ends at Keycloak too (RP-initiated logout), then comes back to /login.
    boolean keycloak = identity.getCredential(IdTokenCredential.class) != null;
    return Response.seeOther(URI.create(keycloak ? "/sso/logout" : "/login"))
        .cookie(expired)
        .build();
  }
}
