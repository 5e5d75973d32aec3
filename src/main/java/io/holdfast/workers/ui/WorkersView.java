package io.holdfast.workers.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Pre;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.renderer.ComponentRenderer;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.holdfast.platform.Role;
import io.holdfast.ui.Format;
import io.holdfast.ui.MainLayout;
import io.holdfast.ui.Notifications;
import io.holdfast.ui.Origins;
import io.holdfast.workers.NewToken;
import io.holdfast.workers.TokenView;
import io.holdfast.workers.WorkerService;
import io.holdfast.workers.WorkerView;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;

/** Settings → Workers: enrolment tokens and the enrolled workers. */
@Route(value = "settings/workers", layout = MainLayout.class)
@PageTitle("Workers · Holdfast")
@RolesAllowed(Role.Names.ADMIN)
public class WorkersView extends VerticalLayout {

  private final WorkerService workers;
  private final Grid<TokenView> tokens = new Grid<>(TokenView.class, false);
  private final Grid<WorkerView> workerGrid = new Grid<>(WorkerView.class, false);

  @Inject
  public WorkersView(WorkerService workers) {
    this.workers = workers;
    setId("workers-view");
    Button create = new Button("New enrolment token", VaadinIcon.KEY.create(), e -> createToken());
    create.setId("new-token");
    create.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    add(
        new H2("Workers"),
        new Paragraph(
            "A worker runs on each protected machine. Create a token, then start the worker with it; "
                + "the token works once and expires after a day."),
        new HorizontalLayout(new H3("Enrolment tokens"), create));
    tokens.setAllRowsVisible(true);
    tokens.addColumn(TokenView::id).setHeader("#").setAutoWidth(true).setFlexGrow(0);
    tokens.addColumn(TokenView::note).setHeader("Note");
    tokens.addColumn(TokenView::createdBy).setHeader("Created by");
    tokens.addColumn(t -> Format.time(t.createdAt())).setHeader("Created");
    tokens.addColumn(t -> Format.time(t.expiresAt())).setHeader("Expires");
    tokens.addColumn(TokenView::state).setHeader("State");
    tokens
        .addColumn(
            new ComponentRenderer<>(
                t -> {
                  Button expire =
                      new Button(
                          "Expire",
                          e ->
                              Notifications.attempt(
                                  () -> {
                                    workers.expireToken(t.id(), Origins.user(), Origins.current());
                                    tokens.getDataProvider().refreshAll();
                                  }));
                  expire.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
                  expire.setEnabled(t.state().equals("valid"));
                  return expire;
                }))
        .setAutoWidth(true);
    tokens.setItems(q -> workers.tokens(q.getOffset(), q.getLimit()).stream());
    add(tokens, new H3("Enrolled workers"));
    workerGrid.setAllRowsVisible(true);
    workerGrid.addColumn(WorkerView::id).setHeader("#").setAutoWidth(true).setFlexGrow(0);
    workerGrid.addColumn(WorkerView::machine).setHeader("Machine");
    workerGrid.addColumn(WorkerView::version).setHeader("Version");
    workerGrid.addColumn(w -> Format.time(w.enrolledAt())).setHeader("Enrolled");
    workerGrid.addColumn(w -> Format.time(w.lastSeenAt())).setHeader("Last contact");
    workerGrid
        .addColumn(
            new ComponentRenderer<>(
                w -> {
                  Span s =
                      new Span(
                          w.revokedAt() != null ? "revoked" : w.online() ? "online" : "offline");
                  s.getElement()
                      .getThemeList()
                      .add(
                          w.revokedAt() != null
                              ? "badge error"
                              : w.online() ? "badge success" : "badge contrast");
                  return s;
                }))
        .setHeader("State");
    workerGrid
        .addColumn(
            new ComponentRenderer<>(
                w -> {
                  Button revoke = new Button("Revoke", e -> confirmRevoke(w));
                  revoke.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
                  revoke.setEnabled(w.revokedAt() == null);
                  return revoke;
                }))
        .setAutoWidth(true);
    workerGrid.setItems(q -> workers.workers(q.getOffset(), q.getLimit()).stream());
    add(workerGrid);
  }

  private void createToken() {
    Dialog d = new Dialog("New enrolment token");
    TextField note = new TextField("What is it for?");
    note.setPlaceholder("e.g. file server in room 2");
    note.setWidthFull();
    Button create =
        new Button(
            "Create",
            e -> {
              NewToken t = workers.createToken(note.getValue(), Origins.user(), Origins.current());
              d.removeAll();
              d.getFooter().removeAll();
              Pre cmd =
                  new Pre(
                      "java -jar holdfast-worker.jar --console "
                          + consoleUrl()
                          + " --enrol-token "
                          + t.token());
              cmd.setId("enrol-command");
              cmd.getStyle().set("white-space", "pre-wrap").set("word-break", "break-all");
              TextField token = new TextField("Token (shown only now)");
              token.setValue(t.token());
              token.setReadOnly(true);
              token.setWidthFull();
              token.setId("new-token-value");
              d.add(
                  token,
                  new Paragraph("Start the worker on the machine with:"),
                  cmd,
                  new Paragraph(
                      "Valid until " + Format.time(t.expiresAt()) + ", for one enrolment."));
              Button copy =
                  new Button(
                      "Copy token",
                      VaadinIcon.COPY.create(),
                      c ->
                          c.getSource()
                              .getElement()
                              .executeJs("navigator.clipboard.writeText($0)", t.token()));
              d.getFooter().add(copy, new Button("Done", c -> d.close()));
              tokens.getDataProvider().refreshAll();
            });
    create.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    d.add(note);
    d.getFooter().add(new Button("Cancel", e -> d.close()), create);
    d.setWidth("36rem");
    d.open();
  }

  private void confirmRevoke(WorkerView w) {
    Dialog d = new Dialog("Revoke worker " + w.id() + " of " + w.machine() + "?");
    d.add(
        new Paragraph(
            "It will be refused from its next call on and must be enrolled again with a new token."));
    Button revoke =
        new Button(
            "Revoke",
            e -> {
              workers.revoke(w.id(), Origins.user(), Origins.current());
              workerGrid.getDataProvider().refreshAll();
              d.close();
            });
    revoke.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_PRIMARY);
    d.getFooter().add(new Button("Keep", e -> d.close()), revoke);
    d.open();
  }

  private String consoleUrl() {
    var loc = com.vaadin.flow.server.VaadinRequest.getCurrent();
    if (loc == null) {
      return "https://<console>";
    }
    return loc.getHeader("Origin") != null
        ? loc.getHeader("Origin")
        : "https://" + loc.getHeader("Host");
  }
}
