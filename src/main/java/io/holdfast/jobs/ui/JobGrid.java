package io.holdfast.jobs.ui;

import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.progressbar.ProgressBar;
import com.vaadin.flow.data.provider.CallbackDataProvider;
import com.vaadin.flow.data.provider.ConfigurableFilterDataProvider;
import com.vaadin.flow.data.renderer.ComponentRenderer;
import io.holdfast.jobs.JobFilter;
import io.holdfast.jobs.JobService;
import io.holdfast.jobs.JobState;
import io.holdfast.jobs.JobView;
import io.holdfast.ui.Format;
import io.holdfast.ui.LiveRefresh;

/** Jobs, newest first, loaded lazily; progress of running jobs is pushed every second. */
public class JobGrid extends Grid<JobView> {

  private final ConfigurableFilterDataProvider<JobView, Void, JobFilter> data;

  public JobGrid(JobService jobs, JobFilter filter, int maxRows) {
    super(JobView.class, false);
    addClassName("holdfast-jobs");
    addThemeVariants(GridVariant.LUMO_ROW_STRIPES);
    addColumn(JobView::id).setHeader("Job").setAutoWidth(true).setFlexGrow(0);
    addColumn(JobView::type).setHeader("Type").setAutoWidth(true);
    addColumn(JobView::machine).setHeader("Machine").setAutoWidth(true);
    addColumn(JobView::cause).setHeader("Why").setAutoWidth(true);
    addColumn(new ComponentRenderer<>(JobGrid::stateBadge)).setHeader("State").setAutoWidth(true);
    addColumn(new ComponentRenderer<>(JobGrid::progress)).setHeader("Progress").setFlexGrow(3);
    addColumn(j -> Format.time(j.createdAt())).setHeader("Created").setAutoWidth(true);
    addColumn(JobView::requestedBy).setHeader("By").setAutoWidth(true);
    data =
        new CallbackDataProvider<JobView, JobFilter>(
                q ->
                    jobs
                        .page(
                            q.getFilter().orElse(filter),
                            q.getOffset(),
                            Math.min(q.getLimit(), maxRows > 0 ? maxRows : q.getLimit()))
                        .stream(),
                q ->
                    (int)
                        Math.min(
                            maxRows > 0 ? maxRows : Long.MAX_VALUE,
                            jobs.count(q.getFilter().orElse(filter))),
                JobView::id)
            .withConfigurableFilter();
    data.setFilter(filter);
    setItems(data);
    if (maxRows > 0) {
      setAllRowsVisible(true);
    }
    addItemClickListener(
        e -> getUI().ifPresent(ui -> ui.navigate(JobDetailView.class, e.getItem().id())));
    LiveRefresh.every(this, 1000, data::refreshAll);
  }

  public void setFilter(JobFilter f) {
    data.setFilter(f);
  }

  static Span stateBadge(JobView j) {
    Span s =
        new Span(
            j.state().id() + (j.cancelRequested() && j.state().active() ? " (cancelling)" : ""));
    String theme =
        switch (j.state()) {
          case SUCCEEDED -> "badge success";
          case FAILED -> "badge error";
          case RUNNING, ASSIGNED -> "badge";
          default -> "badge contrast";
        };
    s.getElement().getThemeList().add(theme);
    s.addClassName("job-state");
    return s;
  }

  static Div progress(JobView j) {
    ProgressBar bar = new ProgressBar(0, 1, j.fraction());
    bar.addClassName("job-progress");
    bar.getElement().setAttribute("data-value", String.valueOf(Math.round(j.fraction() * 100)));
    String text =
        j.state() == JobState.QUEUED
            ? "waiting for the worker"
            : j.state().active()
                ? Math.round(j.fraction() * 100)
                    + "% "
                    + (j.phase() == null ? "" : j.phase())
                    + " "
                    + Format.rate(j.rateBps())
                    + " "
                    + Format.eta(j.etaSeconds())
                : j.state() == JobState.SUCCEEDED ? "100%" : j.error() == null ? "" : j.error();
    Span label = new Span(text.strip());
    label.getStyle().set("font-size", "var(--lumo-font-size-s)").set("white-space", "nowrap");
    Div box = new Div(bar, label);
    box.setWidthFull();
    return box;
  }
}
