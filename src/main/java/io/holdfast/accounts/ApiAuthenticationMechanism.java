package io.holdfast.accounts;

import io.quarkus.oidc.runtime.OidcAuthenticationMechanism;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.BasicAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How scripts authenticate against {@code /api}: HTTP Basic with a local account, or, when Keycloak
 * sign-in is on, a bearer access token from Keycloak. Never a browser cookie, so a page on another
 * site cannot ride on a signed-in console session; and an unauthenticated call gets a 401 with a
 * challenge, never a redirect to a login page.
 */
@ApplicationScoped
class ApiAuthenticationMechanism implements HttpAuthenticationMechanism {

  /** The name {@code quarkus.http.auth.permission.api.auth-mechanism} selects this by. */
  static final String SCHEME = "holdfast-api";

  private static final String REALM = "Holdfast";

  private final BasicAuthenticationMechanism basic = new BasicAuthenticationMechanism(REALM, false);

  @Inject OidcAuthenticationMechanism oidc;

  @ConfigProperty(name = "quarkus.oidc.tenant-enabled", defaultValue = "false")
  boolean oidcEnabled;

  @Override
  public Uni<SecurityIdentity> authenticate(RoutingContext rc, IdentityProviderManager identities) {
    if (!rc.normalizedPath().startsWith("/api/")) {
      return Uni.createFrom().nullItem();
    }
    if (bearer(rc)) {
      return oidcEnabled ? oidc.authenticate(rc, identities) : Uni.createFrom().nullItem();
    }
    return basic.authenticate(rc, identities);
  }

  @Override
  public Uni<ChallengeData> getChallenge(RoutingContext rc) {
    String challenge =
        oidcEnabled
            ? "Bearer realm=\"" + REALM + "\", Basic realm=\"" + REALM + "\""
            : "Basic realm=\"" + REALM + "\"";
    return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", challenge));
  }

  @Override
  public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
    return Set.of(UsernamePasswordAuthenticationRequest.class, TokenAuthenticationRequest.class);
  }

  @Override
  public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext rc) {
    return Uni.createFrom()
        .item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, SCHEME));
  }

  private static boolean bearer(RoutingContext rc) {
    String header = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
    return header != null && header.regionMatches(true, 0, "Bearer ", 0, 7);
  }
}
