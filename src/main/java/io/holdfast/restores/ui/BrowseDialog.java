package io.holdfast.restores.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.data.renderer.ComponentRenderer;
import io.holdfast.jobs.JobService;
import io.holdfast.jobs.JobState;
import io.holdfast.ui.Format;
import io.holdfast.ui.LiveRefresh;
import io.holdfast.ui.Notifications;
import io.holdfast.ui.Origins;
import io.holdfast.worker.protocol.Protocol;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Browses the folders of a partition of an image, one listing job per folder opened, and hands the
 * files and folders ticked back to the request form. The console never reads a repository: each
 * folder is listed by a worker that reaches it, so a folder takes a moment to appear.
 */
final class BrowseDialog extends Dialog {

  private final JobService jobs;
  private final long imageId;
  private final String disk;
  private final Integer partition;
  private final Grid<Protocol.FileItem> grid = new Grid<>();
  private final Span where = new Span("/");
  private final Span status = new Span();
  private final Button up = new Button("Up", VaadinIcon.LEVEL_UP.create());
  private final List<String> chosen = new ArrayList<>();
  private String path = "/";
  private Long pending;

  BrowseDialog(
      JobService jobs, long imageId, String disk, Integer partition, Consumer<List<String>> add) {
    super("Choose files and folders");
    this.jobs = jobs;
    this.imageId = imageId;
    this.disk = disk;
    this.partition = partition;
    setId("browse-dialog");
    setWidth("44rem");
    grid.setId("browse-grid");
    grid.setSelectionMode(Grid.SelectionMode.MULTI);
    grid.addColumn(
            new ComponentRenderer<>(
                item -> {
                  boolean folder = item.kind().equals("directory");
                  Span name =
                      new Span(
                          (folder ? VaadinIcon.FOLDER_O : VaadinIcon.FILE_O).create(),
                          new Span(" " + item.name() + (folder ? "/" : "")));
                  name.addClassName(folder ? "browse-folder" : "browse-file");
                  return name;
                }))
        .setHeader("Name")
        .setFlexGrow(3);
    grid.addColumn(i -> i.kind().equals("directory") ? "" : Format.bytes(i.size()))
        .setHeader("Size")
        .setAutoWidth(true);
    grid.addColumn(i -> i.modified() == null ? "" : Format.time(Instant.parse(i.modified())))
        .setHeader("Modified")
        .setAutoWidth(true);
    grid.setHeight("22rem");
    // a click ticks an entry, a double click opens a folder (its two clicks cancel out)
    grid.addItemClickListener(
        e -> {
          if (grid.getSelectedItems().contains(e.getItem())) {
            grid.deselect(e.getItem());
          } else {
            grid.select(e.getItem());
          }
        });
    grid.addItemDoubleClickListener(
        e -> {
          if (e.getItem().kind().equals("directory")) {
            grid.deselect(e.getItem());
            open(child(e.getItem().name()));
          }
        });
    where.setId("browse-path");
    status.setId("browse-status");
    up.addClickListener(
        e -> open(path.lastIndexOf('/') <= 0 ? "/" : path.substring(0, path.lastIndexOf('/'))));
    HorizontalLayout head = new HorizontalLayout(up, where);
    head.setDefaultVerticalComponentAlignment(
        com.vaadin.flow.component.orderedlayout.FlexComponent.Alignment.BASELINE);
    com.vaadin.flow.component.html.Div hint =
        new com.vaadin.flow.component.html.Div(
            "Click to choose, double-click a folder to open it.");
    hint.getStyle().set("color", "var(--lumo-secondary-text-color)");
    add(head, grid, new com.vaadin.flow.component.html.Div(status), hint);
    LiveRefresh.every(grid, 400, this::check);
    Button ok =
        new Button(
            "Add chosen",
            e -> {
              for (Protocol.FileItem i : grid.getSelectedItems()) {
                chosen.add(child(i.name()));
              }
              add.accept(List.copyOf(chosen));
              close();
            });
    ok.setId("browse-add");
    ok.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    getFooter().add(new Button("Cancel", e -> close()), ok);
    open(path);
  }

  private String child(String name) {
    return path.equals("/") ? "/" + name : path + "/" + name;
  }

  /** Asks for a folder; what was ticked in the one shown so far is kept. */
  private void open(String folder) {
    for (Protocol.FileItem i : grid.getSelectedItems()) {
      chosen.add(child(i.name()));
    }
    Notifications.attempt(
        () -> {
          pending =
              jobs.enqueueListing(
                  imageId, disk, partition, folder, Origins.user(), Origins.current());
          path = folder;
          where.setText(folder);
          up.setEnabled(!folder.equals("/"));
          grid.setItems(List.of());
          status.setText("Asking the worker for " + folder + " …");
        });
  }

  private void check() {
    if (pending == null) {
      return;
    }
    JobService.Listing l = jobs.listing(pending).orElse(null);
    if (l == null || !l.state().finished()) {
      return;
    }
    pending = null;
    if (l.state() == JobState.SUCCEEDED && l.listing() != null) {
      grid.setItems(l.listing().items());
      status.setText(
          l.listing().items().size()
              + " entries in this "
              + l.listing().filesystem()
              + " folder"
              + (l.listing().truncated() ? " (the first of more; type paths for the rest)" : "")
              + (chosen.isEmpty() ? "" : "; chosen elsewhere: " + String.join(", ", chosen)));
    } else {
      status.setText("The folder could not be listed.");
      Notifications.error(l.error() == null ? "The folder could not be listed." : l.error());
    }
  }
}
