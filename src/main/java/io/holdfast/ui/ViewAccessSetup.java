package io.holdfast.ui;

import com.vaadin.flow.server.ServiceInitEvent;
import com.vaadin.flow.server.auth.NavigationAccessControl;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Every navigation is checked against the view's {@code @RolesAllowed}, {@code @PermitAll} or
 * {@code @AnonymousAllowed}; a view with none of them is closed to everyone. Anonymous visitors are
 * sent to the login view.
 */
@ApplicationScoped
class ViewAccessSetup {

  void onServiceInit(@Observes ServiceInitEvent event) {
    // The default checker set is the annotation checker.
    NavigationAccessControl access = new NavigationAccessControl();
    access.setLoginView("login");
    event.getSource().addUIInitListener(ui -> ui.getUI().addBeforeEnterListener(access));
  }
}
