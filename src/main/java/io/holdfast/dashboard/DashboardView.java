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
import io.holdfast.images.ImageService;
import io.holdfast.jobs.JobFilter;
import io.holdfast.jobs.JobService;
import io.holdfast.jobs.JobState;
import io.holdfast.machines.MachineService;
import io.holdfast.platform.Role;
import io.holdfast.repositories.RepositoryService;
import io.holdfast.repositories.RepositorySpace;
import io.holdfast.ui.CurrentUser;
import io.holdfast.ui.EmptyState;
import io.holdfast.ui.Format;
import io.holdfast.ui.MainLayout;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;

/** The first page after sign-in: what is protected, what is running, what happened lately. */
@Route(value = "", layout = MainLayout.class)
@PageTitle("Dashboard · Holdfast")
@PermitAll
public class DashboardView extends VerticalLayout {

  @Inject
  public DashboardView(
      MachineService machines,
      ImageService images,
      JobService jobs,
      AuditService audit,
      RepositoryService repositories) {
    setId("dashboard");
    add(new H2("Dashboard"));
    long machineCount = machines.count(null);
    if (machineCount == 0) {
      add(
          new EmptyState(
              VaadinIcon.DESKTOP,
              "No machines yet — enrol a worker",
              "Holdfast protects machines through a small worker that runs on each of them. "
                  + "Once a worker is enrolled, its disks, backups and restore points appear here."));
    } else {
      FlexLayout cards = new FlexLayout();
      cards.getStyle().set("gap", "var(--lumo-space-m)").set("flex-wrap", "wrap");
      cards.add(
          card(
              "Machines",
              String.valueOf(machines.countInService()),
              "in service",
              "card-machines"));
      cards.add(
          card("Images", String.valueOf(images.count(null)), "restore points", "card-images"));
      cards.add(
          card(
              "Running",
              String.valueOf(jobs.count(new JobFilter(JobState.RUNNING, null, null, null))),
              "jobs now",
              "card-running"));
      cards.add(
          card(
              "Failed",
              String.valueOf(jobs.count(new JobFilter(JobState.FAILED, null, null, null))),
              "jobs to look at",
              "card-failed"));
      MachineService.Unprotected bare = machines.unprotected(5);
      String window = span(bare.after());
      Div unprotected =
          card(
              "Unprotected",
              String.valueOf(bare.total()),
              bare.total() == 0
                  ? "every machine has an image from the last " + window
                  : "without an image from the last "
                      + window
                      + ": "
                      + String.join(", ", bare.names())
                      + (bare.total() > bare.names().size() ? ", …" : ""),
              "card-unprotected");
      if (bare.total() > 0) {
        unprotected.addClassName("low");
      }
      cards.add(unprotected);
      RepositorySpace space = repositories.defaultSpace();
      if (space != null) {
        Div room =
            card(
                "Repository",
                Format.bytes(space.usable()),
                space.low()
                    ? "free of " + Format.bytes(space.total()) + ": backups may not fit"
                    : "free of " + Format.bytes(space.total()),
                "card-repository");
        if (space.low()) {
          room.addClassName("low");
        }
        cards.add(room);
      }
      add(cards);
    }
    if (CurrentUser.hasAnyRole(Role.ADMIN, Role.AUDITOR)) {
      add(new H3("Recent activity"));
      Div activity = new Div();
      activity.setWidthFull();
      audit
          .page(AuditFilter.ALL, 0, 8)
          .forEach(
              e -> {
                FlexLayout row = new FlexLayout();
                row.getStyle().set("gap", "var(--lumo-space-m)");
                Span when = new Span(Format.time(e.occurredAt()));
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

  /** "2 days", "1 day", "12 hours". */
  private static String span(java.time.Duration d) {
    long days = d.toDays();
    if (days > 0 && d.equals(java.time.Duration.ofDays(days))) {
      return days == 1 ? "day" : days + " days";
    }
    long hours = Math.max(1, d.toHours());
    return hours == 1 ? "hour" : hours + " hours";
  }

  private static Div card(String title, String value, String caption, String id) {
    Div c = new Div();
    c.setId(id);
    c.addClassName("holdfast-card");
    Span v = new Span(value);
    v.addClassName("value");
    c.add(new Div(new Span(title)), new Div(v), new Div(new Span(caption)));
    return c;
  }
}
