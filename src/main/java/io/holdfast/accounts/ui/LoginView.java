package io.holdfast.accounts.ui;

import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.Image;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.login.LoginForm;
import com.vaadin.flow.component.login.LoginI18n;
import com.vaadin.flow.component.orderedlayout.FlexComponent;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.BeforeEnterEvent;
import com.vaadin.flow.router.BeforeEnterObserver;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.server.VaadinRequest;
import com.vaadin.flow.server.auth.AnonymousAllowed;
import io.holdfast.ui.CurrentUser;
import jakarta.servlet.http.Cookie;
import java.util.Arrays;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The sign-in page. The form posts to Quarkus' form authentication ({@code j_security_check});
 * after a failure Quarkus sends the browser back here with {@code ?error}, and a short-lived cookie
 * says whether the password was wrong or the account is locked.
 */
@Route("login")
@PageTitle("Sign in · Holdfast")
@AnonymousAllowed
public class LoginView extends VerticalLayout implements BeforeEnterObserver {

  static final String PROBLEM_COOKIE = "holdfast-signin-problem";
  private final LoginForm form = new LoginForm();

  public LoginView() {
    addClassName("holdfast-login");
    setSizeFull();
    setAlignItems(FlexComponent.Alignment.CENTER);
    setJustifyContentMode(FlexComponent.JustifyContentMode.CENTER);
    Image logo = new Image("icons/holdfast.svg", "Holdfast");
    logo.setWidth("72px");
    form.setAction("j_security_check");
    form.setForgotPasswordButtonVisible(false);
    form.setI18n(i18n("Wrong username or password", "Check both and try again."));
    add(logo);
    if (keycloakEnabled()) {
      Button sso =
          new Button(
              "Sign in with Keycloak",
              VaadinIcon.KEY.create(),
              e -> UI.getCurrent().getPage().setLocation("/sso/login"));
      sso.setId("sso-login");
      sso.addThemeVariants(ButtonVariant.LUMO_PRIMARY, ButtonVariant.LUMO_LARGE);
      Span or = new Span("or with a local account");
      or.addClassName("holdfast-login-or");
      add(sso, or);
    }
    add(form);
  }

  private static boolean keycloakEnabled() {
    return ConfigProvider.getConfig()
        .getOptionalValue("quarkus.oidc.tenant-enabled", Boolean.class)
        .orElse(false);
  }

  @Override
  public void beforeEnter(BeforeEnterEvent event) {
    if (CurrentUser.username().isPresent()) {
      event.forwardTo("");
      return;
    }
    if (!event.getLocation().getQueryParameters().getParameters().containsKey("error")) {
      return;
    }
    String problem = problemCookie();
    LoginI18n i18n =
        switch (problem) {
          case "locked" ->
              i18n(
                  "Account locked for a while",
                  "Too many wrong passwords in a row. Wait 15 minutes and try again, or ask an"
                      + " admin to check the account.");
          case "disabled" ->
              i18n(
                  "Account disabled", "An admin has disabled this account. Ask them to enable it.");
          default ->
              i18n(
                  "Wrong username or password",
                  "Check both and try again. After 5 failures in a row the account is locked"
                      + " for 15 minutes.");
        };
    form.setI18n(i18n);
    form.setError(true);
  }

  private static String problemCookie() {
    VaadinRequest request = VaadinRequest.getCurrent();
    Cookie[] cookies = request == null ? null : request.getCookies();
    if (cookies == null) {
      return "";
    }
    return Arrays.stream(cookies)
        .filter(c -> PROBLEM_COOKIE.equals(c.getName()))
        .map(Cookie::getValue)
        .findFirst()
        .orElse("");
  }

  private static LoginI18n i18n(String errorTitle, String errorMessage) {
    LoginI18n i18n = LoginI18n.createDefault();
    i18n.getForm().setTitle("Sign in to Holdfast");
    i18n.getErrorMessage().setTitle(errorTitle);
    i18n.getErrorMessage().setMessage(errorMessage);
    return i18n;
  }
}
