package io.holdfast.ui;

import com.vaadin.flow.component.dependency.CssImport;
import com.vaadin.flow.component.dependency.StyleSheet;
import com.vaadin.flow.component.page.AppShellConfigurator;
import com.vaadin.flow.component.page.Push;
import com.vaadin.flow.server.AppShellSettings;
import com.vaadin.flow.server.LoadDependenciesOnStartup;
import com.vaadin.flow.shared.communication.PushMode;
import com.vaadin.flow.shared.ui.Transport;
import com.vaadin.flow.theme.lumo.Lumo;

/**
 * Page-wide settings. Push runs server-to-client over a websocket while client requests stay plain
 * HTTP, so every request the browser makes carries the session cookie through Quarkus security.
 *
 * <p>Every view's components load with the first page. A production build may reuse a frontend
 * bundle made before a view existed when that view uses no new kind of component; loaded per view,
 * its components (a notification, say) were then missing whenever the view was the first page
 * opened (vaadin/flow#18860). The console is small; one bundle costs nothing noticeable.
 */
@LoadDependenciesOnStartup
@Push(value = PushMode.AUTOMATIC, transport = Transport.WEBSOCKET_XHR)
@StyleSheet(Lumo.STYLESHEET)
@CssImport("./styles/holdfast.css")
public class AppShell implements AppShellConfigurator {

  @Override
  public void configurePage(AppShellSettings settings) {
    settings.setPageTitle("Holdfast");
    settings.addFavIcon("icon", "icons/holdfast.svg", "64x64");
  }
}
