package io.holdfast.ui;

import com.vaadin.flow.component.UI;
import com.vaadin.flow.component.applayout.AppLayout;
import com.vaadin.flow.component.applayout.DrawerToggle;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H1;
import com.vaadin.flow.component.html.Image;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.Scroller;
import com.vaadin.flow.component.sidenav.SideNav;
import com.vaadin.flow.component.sidenav.SideNavItem;
import com.vaadin.flow.router.AfterNavigationEvent;
import com.vaadin.flow.router.AfterNavigationObserver;
import com.vaadin.flow.server.VaadinSession;
import io.holdfast.platform.Role;
import io.holdfast.restores.RestoreService;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;

/** The frame around every signed-in view: brand, navigation, who is signed in, sign-out. */
@PermitAll
public class MainLayout extends AppLayout implements AfterNavigationObserver {

  private final RestoreService restores;
  private final Span pendingBadge = new Span();

  @Inject
  public MainLayout(RestoreService restores) {
    this.restores = restores;
    pendingBadge.setId("pending-restores");
    pendingBadge.getElement().getThemeList().add("badge error pill small");
    pendingBadge.setVisible(false);
    setPrimarySection(Section.DRAWER);
    H1 brand = new H1();
    brand.addClassName("holdfast-brand");
    brand.add(new Image("icons/holdfast.svg", ""), new Span("Holdfast"));
    Div brandBox = new Div(brand);
    brandBox.getStyle().set("padding", "var(--lumo-space-m)");
    addToDrawer(brandBox, new Scroller(navigation(pendingBadge)));
    addToNavbar(new DrawerToggle(), userBox());
  }

  /** Approvers see how many restore requests wait for them. */
  @Override
  public void afterNavigation(AfterNavigationEvent event) {
    if (restores.mayApprove(CurrentUser.rolesAmong(restores.decisionRoles()))) {
      long pending = restores.count("pending");
      pendingBadge.setText(String.valueOf(pending));
      pendingBadge.setVisible(pending > 0);
    }
  }

  private static SideNav navigation(Span pendingBadge) {
    SideNav nav = new SideNav();
    nav.addItem(new SideNavItem("Dashboard", "", VaadinIcon.DASHBOARD.create()));
    nav.addItem(new SideNavItem("Machines", "machines", VaadinIcon.DESKTOP.create()));
    nav.addItem(new SideNavItem("Images", "images", VaadinIcon.ARCHIVE.create()));
    nav.addItem(new SideNavItem("Jobs", "jobs", VaadinIcon.TASKS.create()));
    nav.addItem(new SideNavItem("Plans", "plans", VaadinIcon.CALENDAR_CLOCK.create()));
    SideNavItem restoresItem =
        new SideNavItem("Restores", "restores", VaadinIcon.ROTATE_LEFT.create());
    restoresItem.setSuffixComponent(pendingBadge);
    nav.addItem(restoresItem);
    if (CurrentUser.hasAnyRole(Role.ADMIN, Role.OPERATOR, Role.AUDITOR)) {
      nav.addItem(new SideNavItem("Repositories", "repositories", VaadinIcon.DATABASE.create()));
    }
    if (CurrentUser.hasAnyRole(Role.ADMIN, Role.AUDITOR)) {
      nav.addItem(new SideNavItem("Audit", "audit", VaadinIcon.CLIPBOARD_CHECK.create()));
    }
    if (CurrentUser.hasAnyRole(Role.ADMIN)) {
      SideNavItem settings = new SideNavItem("Settings", "settings", VaadinIcon.COG.create());
      settings.addItem(new SideNavItem("Users", "settings", VaadinIcon.USERS.create()));
      settings.addItem(new SideNavItem("Workers", "settings/workers", VaadinIcon.SERVER.create()));
      settings.setExpanded(true);
      nav.addItem(settings);
    }
    return nav;
  }

  private static Div userBox() {
    Div box = new Div();
    box.addClassName("holdfast-user");
    Span name = new Span(CurrentUser.username().orElse(""));
    name.setId("current-user");
    Span role = new Span(CurrentUser.role().map(Role::label).orElse(""));
    role.setId("current-role");
    role.getElement().getThemeList().add("badge contrast");
    Button logout = new Button("Sign out", VaadinIcon.SIGN_OUT.create(), e -> signOut());
    logout.setId("logout");
    logout.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    box.add(VaadinIcon.USER.create(), name, role, logout);
    return box;
  }

  private static void signOut() {
    UI.getCurrent().getPage().setLocation("/logout");
    VaadinSession.getCurrent().getSession().invalidate();
  }
}
