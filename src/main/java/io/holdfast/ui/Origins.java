package io.holdfast.ui;

import com.vaadin.flow.server.VaadinRequest;
import io.holdfast.platform.RequestOrigin;

/** The browser's address and user agent, for audit events caused in the UI. */
public final class Origins {

  private Origins() {}

  public static RequestOrigin current() {
    return of(VaadinRequest.getCurrent());
  }

  public static RequestOrigin of(VaadinRequest r) {
    return r == null
        ? RequestOrigin.SYSTEM
        : new RequestOrigin(r.getRemoteAddr(), r.getHeader("User-Agent"));
  }

  public static String user() {
    return CurrentUser.username().orElse("unknown");
  }
}
