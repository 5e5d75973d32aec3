package io.holdfast.platform;

import io.quarkus.vertx.http.runtime.filters.Filters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * With the login form enabled, Quarkus answers an unauthenticated API call with a bare 401. Add the
 * Basic challenge so that scripts and HTTP clients know what to send.
 */
@ApplicationScoped
class ApiChallengeFilter {

  void register(@Observes Filters filters) {
    filters.register(
        rc -> {
          if (rc.normalizedPath().startsWith("/api/")) {
            rc.addHeadersEndHandler(
                v -> {
                  var response = rc.response();
                  if (response.getStatusCode() == 401
                      && response.headers().get("WWW-Authenticate") == null) {
                    response.putHeader("WWW-Authenticate", "Basic realm=\"Holdfast\"");
                  }
                });
          }
          rc.next();
        },
        // before the security handlers
        1000);
  }
}
