package io.holdfast.accounts.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.notification.Notification;
import com.vaadin.flow.component.notification.NotificationVariant;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.EmailField;
import com.vaadin.flow.component.textfield.PasswordField;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.holdfast.accounts.AccountService;
import io.holdfast.accounts.UserSummary;
import io.holdfast.platform.Role;
import io.holdfast.ui.MainLayout;
import io.holdfast.ui.Origins;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** Settings for admins. Users live here; workers and repositories join later. */
@Route(value = "settings", layout = MainLayout.class)
@PageTitle("Settings · Holdfast")
@RolesAllowed(Role.Names.ADMIN)
public class SettingsView extends VerticalLayout {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());

  private final AccountService accounts;
  private final Grid<UserSummary> users = new Grid<>(UserSummary.class, false);

  @Inject
  public SettingsView(AccountService accounts) {
    this.accounts = accounts;
    setId("settings-view");
    Button add = new Button("Add user", e -> openCreateDialog());
    add.setId("add-user");
    add.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    add(new H2("Settings"), new HorizontalLayout(new H3("Users"), add));
    users.addColumn(UserSummary::username).setHeader("Username").setSortable(false);
    users.addColumn(UserSummary::displayName).setHeader("Name");
    users.addColumn(u -> u.role().label()).setHeader("Role");
    users.addColumn(u -> u.email() == null ? "" : u.email()).setHeader("Email");
    users.addColumn(u -> u.enabled() ? "enabled" : "disabled").setHeader("State");
    users
        .addColumn(u -> u.lastLoginAt() == null ? "never" : TIME.format(u.lastLoginAt()))
        .setHeader("Last sign-in");
    users
        .addComponentColumn(
            u -> {
              Button edit = new Button("Edit", e -> openEditDialog(u));
              edit.addClassName("edit-user");
              edit.getElement().setAttribute("data-user", u.username());
              edit.addThemeVariants(ButtonVariant.LUMO_TERTIARY, ButtonVariant.LUMO_SMALL);
              return edit;
            })
        .setHeader("")
        .setAutoWidth(true);
    users.setItems(q -> accounts.page(q.getOffset(), q.getLimit()).stream());
    add(users);
  }

  /**
   * Role, enabled state and a new password for one account. Only what changed is sent, so each
   * change lands on the audit trail on its own.
   */
  private void openEditDialog(UserSummary user) {
    Dialog dialog = new Dialog("Edit " + user.username());
    dialog.setId("edit-user-dialog");
    Select<Role> role = new Select<>();
    role.setId("edit-role");
    role.setLabel("Role");
    role.setItems(Role.values());
    role.setItemLabelGenerator(Role::label);
    role.setValue(user.role());
    Checkbox enabled = new Checkbox("May sign in", user.enabled());
    enabled.setId("edit-enabled");
    EmailField email = new EmailField("Email for notifications");
    email.setId("edit-email");
    email.setValue(user.email() == null ? "" : user.email());
    PasswordField password = new PasswordField("New password");
    password.setId("edit-password");
    password.setHelperText("Leave empty to keep the password. At least 12 characters.");
    dialog.add(new FormLayout(role, enabled, email, password));
    Button save =
        new Button(
            "Save",
            e -> {
              String actor = Origins.user();
              try {
                if (role.getValue() != user.role()) {
                  accounts.changeRole(user.username(), role.getValue(), actor, Origins.current());
                }
                if (enabled.getValue() != user.enabled()) {
                  accounts.setEnabled(
                      user.username(), enabled.getValue(), actor, Origins.current());
                }
                if (!email.getValue().equals(user.email() == null ? "" : user.email())) {
                  accounts.setEmail(user.username(), email.getValue(), actor, Origins.current());
                }
                if (!password.getValue().isEmpty()) {
                  accounts.resetPassword(
                      user.username(), password.getValue(), actor, Origins.current());
                }
                users.getDataProvider().refreshAll();
                dialog.close();
                Notification.show("Saved " + user.username())
                    .addThemeVariants(NotificationVariant.LUMO_SUCCESS);
              } catch (IllegalArgumentException | IllegalStateException ex) {
                users.getDataProvider().refreshAll();
                Notification.show(ex.getMessage(), 6000, Notification.Position.MIDDLE)
                    .addThemeVariants(NotificationVariant.LUMO_ERROR);
              }
            });
    save.setId("save-user");
    save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    dialog.getFooter().add(new Button("Cancel", e -> dialog.close()), save);
    dialog.open();
  }

  private void openCreateDialog() {
    Dialog dialog = new Dialog("Add user");
    TextField username = new TextField("Username");
    TextField name = new TextField("Full name");
    Select<Role> role = new Select<>();
    role.setLabel("Role");
    role.setItems(Role.values());
    role.setItemLabelGenerator(Role::label);
    role.setValue(Role.HELPDESK);
    PasswordField password = new PasswordField("Initial password");
    password.setHelperText("At least 12 characters");
    dialog.add(new FormLayout(username, name, role, password));
    Button save =
        new Button(
            "Create",
            e -> {
              try {
                accounts.create(
                    username.getValue().trim(),
                    name.getValue().trim(),
                    role.getValue(),
                    password.getValue(),
                    Origins.user(),
                    Origins.current());
                users.getDataProvider().refreshAll();
                dialog.close();
                Notification.show("Created " + username.getValue())
                    .addThemeVariants(NotificationVariant.LUMO_SUCCESS);
              } catch (IllegalArgumentException ex) {
                Notification.show(ex.getMessage(), 6000, Notification.Position.MIDDLE)
                    .addThemeVariants(NotificationVariant.LUMO_ERROR);
              }
            });
    save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    dialog.getFooter().add(new Button("Cancel", e -> dialog.close()), save);
    dialog.open();
  }
}
