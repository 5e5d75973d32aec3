package io.holdfast.jobs.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Pre;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.BeforeEvent;
import com.vaadin.flow.router.HasUrlParameter;
import com.vaadin.flow.router.NotFoundException;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.holdfast.jobs.JobLogLine;
import io.holdfast.jobs.JobService;
import io.holdfast.jobs.JobView;
import io.holdfast.platform.Role;
import io.holdfast.ui.CurrentUser;
import io.holdfast.ui.Format;
import io.holdfast.ui.LiveRefresh;
import io.holdfast.ui.MainLayout;
import io.holdfast.ui.Notifications;
import io.holdfast.ui.Origins;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;

/** One job: state, progress and its log, all updating live; cancel and retry. */
@Route(value = "jobs", layout = MainLayout.class)
@PageTitle("Job · Holdfast")
@PermitAll
public class JobDetailView extends VerticalLayout implements HasUrlParameter<Long> {

  private final JobService jobs;
  private final Div summary = new Div();
  private final Div progress = new Div();
  private final Pre log = new Pre();
  private final Button cancel = new Button("Cancel", VaadinIcon.STOP.create());
  private final Button retry = new Button("Retry", VaadinIcon.REFRESH.create());
  private long jobId;
  private long lastLogId;

  @Inject
  public JobDetailView(JobService jobs) {
    this.jobs = jobs;
    setId("job-detail");
    log.setId("job-log");
    log.getStyle()
        .set("max-height", "24rem")
        .set("overflow", "auto")
        .set("width", "100%")
        .set("background", "var(--lumo-contrast-5pct)")
        .set("padding", "var(--lumo-space-s)");
    progress.setWidthFull();
    cancel.setId("cancel-job");
    cancel.addThemeVariants(ButtonVariant.LUMO_ERROR);
    retry.setId("retry-job");
    boolean mayAct = !CurrentUser.hasAnyRole(Role.AUDITOR);
    cancel.setVisible(mayAct);
    retry.setVisible(mayAct);
    cancel.addClickListener(
        e ->
            Notifications.attempt(
                () -> {
                  jobs.cancel(jobId, Origins.user(), Origins.current());
                  Notifications.success("Cancel requested for job " + jobId);
                }));
    retry.addClickListener(
        e ->
            Notifications.attempt(
                () -> {
                  long id = jobs.retry(jobId, Origins.user(), Origins.current());
                  getUI().ifPresent(ui -> ui.navigate(JobDetailView.class, id));
                }));
    LiveRefresh.every(this, 1000, this::refresh);
  }

  @Override
  public void setParameter(BeforeEvent event, Long id) {
    jobId = id;
    lastLogId = 0;
    JobView j = jobs.get(id).orElseThrow(NotFoundException::new);
    removeAll();
    log.setText("");
    add(
        new H2("Job " + j.id() + ": " + j.type() + " of " + j.machine()),
        summary,
        progress,
        new HorizontalLayout(cancel, retry),
        log);
    refresh();
  }

  private void refresh() {
    jobs.get(jobId)
        .ifPresent(
            j -> {
              summary.removeAll();
              summary.add(JobGrid.stateBadge(j));
              summary.add(
                  new Paragraph(
                      "Requested by "
                          + j.requestedBy()
                          + " ("
                          + j.cause()
                          + ") at "
                          + Format.time(j.createdAt())
                          + " · started "
                          + Format.time(j.startedAt())
                          + " · finished "
                          + Format.time(j.finishedAt())
                          + " · attempt "
                          + j.attempts()
                          + " of "
                          + j.maxAttempts()
                          + (j.error() == null ? "" : " · " + j.error())));
              progress.removeAll();
              progress.add(JobGrid.progress(j));
              cancel.setEnabled(!j.state().finished() && !j.cancelRequested());
              retry.setEnabled(
                  j.state() == io.holdfast.jobs.JobState.FAILED
                      || j.state() == io.holdfast.jobs.JobState.CANCELLED);
            });
    StringBuilder more = new StringBuilder(log.getText());
    for (JobLogLine l : jobs.logs(jobId, lastLogId)) {
      more.append(Format.time(l.at()))
          .append("  ")
          .append(l.level().toUpperCase())
          .append("  ")
          .append(l.message())
          .append('\n');
      lastLogId = l.id();
    }
    if (more.length() != log.getText().length()) {
      log.setText(more.toString());
    }
  }
}
