package io.holdfast.platform;

import io.vertx.core.http.HttpServerRequest;

/** Request origins of REST calls, for audit events. */
public final class Origins {

  private Origins() {}

  public static RequestOrigin of(HttpServerRequest r) {
    return r == null
        ? RequestOrigin.SYSTEM
        : new RequestOrigin(
            r.remoteAddress() == null ? null : r.remoteAddress().host(), r.getHeader("User-Agent"));
  }
}
