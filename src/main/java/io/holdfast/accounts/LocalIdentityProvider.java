package io.holdfast.accounts;

import io.holdfast.platform.RequestOrigin;
import io.holdfast.platform.Role;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Checks username and password against the local accounts, for the login form and for HTTP Basic on
 * the API alike.
 */
@ApplicationScoped
class LocalIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

  /** Tells the login view why the last attempt failed; it holds no secret. */
  static final String SIGNIN_PROBLEM_COOKIE = "holdfast-signin-problem"; // read by LoginView

  @Inject AccountService accounts;

  @Override
  public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
    return UsernamePasswordAuthenticationRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      UsernamePasswordAuthenticationRequest request, AuthenticationRequestContext context) {
    RoutingContext rc = HttpSecurityUtils.getRoutingContextAttribute(request);
    boolean viaLoginForm = rc != null && rc.request().path().endsWith("/j_security_check");
    RequestOrigin origin = RequestOrigins.of(rc);
    String username = request.getUsername();
    String password = new String(request.getPassword().getPassword());
    return context.runBlocking(
        () -> {
          SignInResult result = accounts.signIn(username, password, origin, viaLoginForm);
          if (result instanceof SignInResult.Success ok) {
            return identity(ok.username(), ok.displayName(), ok.role());
          }
          if (viaLoginForm) {
            String problem =
                switch (result) {
                  case SignInResult.LockedOut l -> "locked";
                  case SignInResult.Disabled d -> "disabled";
                  default -> "credentials";
                };
            rc.response()
                .addCookie(
                    Cookie.cookie(SIGNIN_PROBLEM_COOKIE, problem)
                        .setPath("/")
                        .setMaxAge(60)
                        .setHttpOnly(true));
          }
          throw new AuthenticationFailedException("sign-in refused: " + result);
        });
  }

  static SecurityIdentity identity(String username, String displayName, Role role) {
    return QuarkusSecurityIdentity.builder()
        .setPrincipal(new QuarkusPrincipal(username))
        .addRole(role.id())
        .addAttribute("displayName", displayName)
        .build();
  }
}
