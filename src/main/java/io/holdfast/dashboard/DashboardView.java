package io.holdfast.dashboard;

import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.holdfast.audit.AuditFilter;
import io.holdfast.audit.AuditService;
import io.holdfast.ui.EmptyState;
import io.holdfast.ui.MainLayout;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** The first page after sign-in: what is protected, and what happened lately. */
@Route(value = "", layout = MainLayout.class)
@PageTitle("Dashboard · Holdfast")
@PermitAll
public class DashboardView extends VerticalLayout {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  @Inject
  public DashboardView(AuditService audit) {
    setId("dashboard");
    add(new H2("Dashboard"));
    add(
        new EmptyState(
            VaadinIcon.DESKTOP,
            "No machines yet — enrol a worker",
            "Holdfast protects machines through a small worker that runs on each of them. "
                + "Once a worker is enrolled, its disks, backups and restore points appear here."));
    add(new H3("Recent activity"));
    Div activity = new Div();
    activity.setWidthFull();
    audit
        .page(AuditFilter.ALL, 0, 8)
        .forEach(
            e -> {
              FlexLayout row = new FlexLayout();
              row.getStyle().set("gap", "var(--lumo-space-m)");
              Span when = new Span(TIME.format(e.occurredAt()));
              when.getStyle().set("color", "var(--lumo-secondary-text-color)");
              row.add(
                  when,
                  new Span(e.actor()),
                  new Span(e.action()),
                  new Span(e.outcome().name().toLowerCase()));
              activity.add(row);
            });
    add(activity);
  }
}
