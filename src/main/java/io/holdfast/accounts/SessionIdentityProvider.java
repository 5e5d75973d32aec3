package io.holdfast.accounts;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TrustedAuthenticationRequest;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Rebuilds the identity behind a valid session cookie from the database on each request, so a
 * disabled, locked or re-roled account takes effect at once rather than when the cookie expires.
 */
@ApplicationScoped
class SessionIdentityProvider implements IdentityProvider<TrustedAuthenticationRequest> {

  @Inject AccountService accounts;

  @Override
  public Class<TrustedAuthenticationRequest> getRequestType() {
    return TrustedAuthenticationRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      TrustedAuthenticationRequest request, AuthenticationRequestContext context) {
    return context.runBlocking(
        () ->
            accounts
                .findActive(request.getPrincipal())
                .map(u -> LocalIdentityProvider.identity(u.username(), u.displayName(), u.role()))
                .orElseThrow(() -> new AuthenticationFailedException("account no longer active")));
  }
}
