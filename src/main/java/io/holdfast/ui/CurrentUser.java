package io.holdfast.ui;

import com.vaadin.flow.server.VaadinRequest;
import io.holdfast.platform.Role;
import java.security.Principal;
import java.util.Arrays;
import java.util.Optional;

/** The signed-in person as the current Vaadin request sees them. */
public final class CurrentUser {

  private CurrentUser() {}

  public static Optional<String> username() {
    VaadinRequest request = VaadinRequest.getCurrent();
    Principal p = request == null ? null : request.getUserPrincipal();
    return Optional.ofNullable(p).map(Principal::getName);
  }

  public static Optional<Role> role() {
    VaadinRequest request = VaadinRequest.getCurrent();
    if (request == null) {
      return Optional.empty();
    }
    return Arrays.stream(Role.values()).filter(r -> request.isUserInRole(r.id())).findFirst();
  }

  public static boolean hasAnyRole(Role... roles) {
    return role().map(r -> Arrays.asList(roles).contains(r)).orElse(false);
  }

  /** The security role names, among {@code candidates}, the current person holds. */
  public static java.util.List<String> rolesAmong(java.util.Collection<String> candidates) {
    VaadinRequest request = VaadinRequest.getCurrent();
    if (request == null) {
      return java.util.List.of();
    }
    return candidates.stream().filter(request::isUserInRole).toList();
  }
}
