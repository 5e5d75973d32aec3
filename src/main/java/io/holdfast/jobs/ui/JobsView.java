package io.holdfast.jobs.ui;

import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.holdfast.ui.EmptyState;
import io.holdfast.ui.MainLayout;
import jakarta.annotation.security.PermitAll;

@Route(value = "jobs", layout = MainLayout.class)
@PageTitle("Jobs · Holdfast")
@PermitAll
public class JobsView extends VerticalLayout {

  public JobsView() {
    setId("jobs-view");
    add(new H2("Jobs"));
    add(
        new EmptyState(
            VaadinIcon.TASKS,
            "No jobs yet",
            "Backups, verifies and restores run as jobs. Start one with Back up now on a machine, or let a plan schedule it."));
  }
}
