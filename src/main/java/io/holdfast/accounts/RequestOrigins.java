package io.holdfast.accounts;

import io.holdfast.platform.RequestOrigin;
import io.vertx.ext.web.RoutingContext;

final class RequestOrigins {

  private RequestOrigins() {}

  static RequestOrigin of(RoutingContext rc) {
    if (rc == null) {
      return RequestOrigin.SYSTEM;
    }
    String ip = rc.request().remoteAddress() == null ? null : rc.request().remoteAddress().host();
    return new RequestOrigin(ip, rc.request().getHeader("User-Agent"));
  }
}
