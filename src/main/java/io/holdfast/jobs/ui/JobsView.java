package io.holdfast.jobs.ui;

import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.value.ValueChangeMode;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.holdfast.jobs.JobFilter;
import io.holdfast.jobs.JobService;
import io.holdfast.jobs.JobState;
import io.holdfast.ui.MainLayout;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;

@Route(value = "jobs", layout = MainLayout.class)
@PageTitle("Jobs · Holdfast")
@PermitAll
public class JobsView extends VerticalLayout {

  @Inject
  public JobsView(JobService jobs) {
    setId("jobs-view");
    setSizeFull();
    Select<JobState> state = new Select<>();
    state.setPlaceholder("Any state");
    state.setItems(JobState.values());
    // the empty item reaches the label generator too
    state.setItemLabelGenerator(st -> st == null ? "Any state" : st.id());
    state.setEmptySelectionAllowed(true);
    state.setEmptySelectionCaption("Any state");
    Select<String> type = new Select<>();
    type.setItems("backup", "verify", "restore", "restore-files", "export", "prune", "maintenance");
    type.setEmptySelectionAllowed(true);
    type.setEmptySelectionCaption("Any type");
    TextField machine = new TextField();
    machine.setPlaceholder("Machine");
    machine.setClearButtonVisible(true);
    machine.setValueChangeMode(ValueChangeMode.LAZY);
    Select<java.time.Duration> when = new Select<>();
    when.setItems(
        java.time.Duration.ofHours(1),
        java.time.Duration.ofDays(1),
        java.time.Duration.ofDays(7),
        java.time.Duration.ofDays(30));
    when.setEmptySelectionAllowed(true);
    when.setEmptySelectionCaption("Any time");
    when.setItemLabelGenerator(
        d ->
            d == null
                ? "Any time"
                : d.toHours() == 1
                    ? "Last hour"
                    : d.toDays() == 1 ? "Last 24 hours" : "Last " + d.toDays() + " days");
    JobGrid grid = new JobGrid(jobs, JobFilter.ALL, 0);
    grid.setId("jobs-grid");
    Runnable apply =
        () ->
            grid.setFilter(
                new JobFilter(state.getValue(), type.getValue(), null, machine.getValue()));
    state.addValueChangeListener(e -> apply.run());
    type.addValueChangeListener(e -> apply.run());
    machine.addValueChangeListener(e -> apply.run());
    when.addValueChangeListener(e -> apply.run());
    add(new H2("Jobs"), new HorizontalLayout(state, type, machine, when), grid);
    if (jobs.count(JobFilter.ALL) == 0) {
      add(
          new io.holdfast.ui.EmptyState(
              com.vaadin.flow.component.icon.VaadinIcon.TASKS,
              "No jobs yet",
              "Backups, verifies and restores run as jobs. Start one with Back up now on a machine."));
    }
  }
}
