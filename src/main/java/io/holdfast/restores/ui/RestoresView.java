package io.holdfast.restores.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.datetimepicker.DateTimePicker;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.radiobutton.RadioButtonGroup;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.TextArea;
import com.vaadin.flow.data.provider.CallbackDataProvider;
import com.vaadin.flow.data.provider.ConfigurableFilterDataProvider;
import com.vaadin.flow.data.provider.ListDataProvider;
import com.vaadin.flow.data.renderer.ComponentRenderer;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.holdfast.engine.ops.ImageFiles;
import io.holdfast.images.ImageDisk;
import io.holdfast.images.ImageService;
import io.holdfast.images.ImageView;
import io.holdfast.jobs.JobService;
import io.holdfast.machines.MachineOverview;
import io.holdfast.machines.MachineService;
import io.holdfast.platform.Role;
import io.holdfast.restores.RestoreRequestView;
import io.holdfast.restores.RestoreService;
import io.holdfast.ui.CurrentUser;
import io.holdfast.ui.Format;
import io.holdfast.ui.LiveRefresh;
import io.holdfast.ui.MainLayout;
import io.holdfast.ui.Notifications;
import io.holdfast.ui.Origins;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Restore requests: pending, approved, rejected, expired; ask for one; decide (admins, not one's
 * own).
 */
@Route(value = "restores", layout = MainLayout.class)
@PageTitle("Restores · Holdfast")
@PermitAll
public class RestoresView extends VerticalLayout {

  private final RestoreService restores;
  private final MachineService machines;
  private final ImageService images;
  private final ConfigurableFilterDataProvider<RestoreRequestView, Void, String> data;

  private final JobService jobs;

  @Inject
  public RestoresView(
      RestoreService restores, MachineService machines, ImageService images, JobService jobs) {
    this.restores = restores;
    this.machines = machines;
    this.images = images;
    this.jobs = jobs;
    setId("restores-view");
    setSizeFull();
    Select<String> state = new Select<>();
    state.setItems("pending", "approved", "done", "rejected", "expired", "cancelled");
    state.setEmptySelectionAllowed(true);
    state.setEmptySelectionCaption("Any state");
    state.setItemLabelGenerator(s -> s == null ? "Any state" : s);
    Button ask =
        new Button("Request restore", VaadinIcon.ROTATE_LEFT.create(), e -> openRequestDialog());
    ask.setId("request-restore");
    ask.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    ask.setVisible(!CurrentUser.hasAnyRole(Role.AUDITOR));
    Grid<RestoreRequestView> grid = new Grid<>(RestoreRequestView.class, false);
    grid.setId("restores-grid");
    grid.addColumn(RestoreRequestView::id).setHeader("#").setAutoWidth(true).setFlexGrow(0);
    grid.addColumn(new ComponentRenderer<>(RestoresView::stateBadge))
        .setHeader("State")
        .setAutoWidth(true);
    grid.addColumn(r -> r.sourceMachine() + " → " + r.targetMachine())
        .setHeader("Machines")
        .setAutoWidth(true);
    grid.addColumn(RestoreRequestView::target)
        .setHeader("Onto")
        .setTooltipGenerator(RestoreRequestView::target)
        .setFlexGrow(2);
    grid.addColumn(RestoresView::scope)
        .setHeader("Scope")
        .setTooltipGenerator(r -> r.isFileRestore() ? String.join("\n", r.files()) : null)
        .setAutoWidth(true);
    grid.addColumn(RestoreRequestView::risk).setHeader("Risk").setAutoWidth(true);
    grid.addColumn(RestoreRequestView::requestedBy).setHeader("Requested by").setAutoWidth(true);
    grid.addColumn(r -> Format.time(r.requestedAt())).setHeader("When").setAutoWidth(true);
    grid.addColumn(new ComponentRenderer<>(this::actions))
        .setHeader("")
        .setAutoWidth(true)
        .setFlexGrow(0)
        .setFrozenToEnd(true);
    grid.setItemDetailsRenderer(
        new ComponentRenderer<>(
            r -> {
              Div d = new Div();
              d.add(
                  new Paragraph(r.overwrites()),
                  new Paragraph("Reason: " + r.reason()),
                  new Paragraph("Risk: " + r.riskReasons()));
              if (r.decidedBy() != null) {
                d.add(
                    new Paragraph(
                        "Decided by "
                            + r.decidedBy()
                            + " at "
                            + Format.time(r.decidedAt())
                            + (r.decisionComment() == null ? "" : ": " + r.decisionComment())));
              }
              if (r.jobId() != null) {
                d.add(new Paragraph("Restore job " + r.jobId() + ": " + r.jobState()));
              }
              if (!r.intact()) {
                d.add(
                    new Paragraph(
                        "Warning: this request was changed after it was made or approved."));
              }
              return d;
            }));
    data =
        new CallbackDataProvider<RestoreRequestView, String>(
                q ->
                    restores.page(q.getFilter().orElse(null), q.getOffset(), q.getLimit()).stream(),
                q -> (int) restores.count(q.getFilter().orElse(null)),
                RestoreRequestView::id)
            .withConfigurableFilter();
    grid.setItems(data);
    state.addValueChangeListener(e -> data.setFilter(e.getValue()));
    LiveRefresh.every(grid, 2000, data::refreshAll);
    add(
        new H2("Restores"),
        new Paragraph(
            "A restore overwrites a disk or a partition, or copies files out of a backup into a"
                + " folder. It runs only after a second person with approval rights says yes."),
        new HorizontalLayout(state, ask),
        grid);
  }

  /** "partition 2", "whole disk", or for a file restore "3 files from partition 2". */
  private static String scope(RestoreRequestView r) {
    String part = r.partition() == null ? "whole disk" : "partition " + r.partition();
    if (!r.isFileRestore()) {
      return part;
    }
    String what =
        r.files().size() == 1 ? r.files().get(0) : r.files().size() + " files and folders";
    return what + " from " + (r.partition() == null ? "the disk" : part);
  }

  private static Span stateBadge(RestoreRequestView r) {
    Span s = new Span(r.state() + (r.autoApproved() ? " (policy)" : ""));
    s.getElement()
        .getThemeList()
        .add(
            switch (r.state()) {
              case "approved" -> "badge success";
              case "rejected", "expired" -> "badge error";
              case "pending" -> "badge";
              default -> "badge contrast";
            });
    return s;
  }

  private HorizontalLayout actions(RestoreRequestView r) {
    HorizontalLayout h = new HorizontalLayout();
    boolean mine = CurrentUser.username().map(u -> u.equals(r.requestedBy())).orElse(false);
    if (r.state().equals("pending") && mayApprove()) {
      Button approve = new Button("Approve", e -> decide(r, true));
      approve.addClassName("approve-request");
      approve.addThemeVariants(ButtonVariant.LUMO_SUCCESS, ButtonVariant.LUMO_SMALL);
      approve.setEnabled(!mine);
      approve.setTooltipText(
          mine ? "You asked for this restore; another person must approve it." : null);
      Button reject = new Button("Reject", e -> decide(r, false));
      reject.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_SMALL);
      reject.setEnabled(!mine);
      h.add(approve, reject);
    }
    if (r.state().equals("pending") && mine) {
      Button withdraw =
          new Button(
              "Withdraw",
              e ->
                  Notifications.attempt(
                      () -> {
                        restores.cancel(r.id(), Origins.user(), Origins.current());
                        data.refreshAll();
                      }));
      withdraw.addThemeVariants(ButtonVariant.LUMO_TERTIARY, ButtonVariant.LUMO_SMALL);
      h.add(withdraw);
    }
    return h;
  }

  private java.util.List<String> myDecisionRoles() {
    return CurrentUser.rolesAmong(restores.decisionRoles());
  }

  private boolean mayApprove() {
    return restores.mayApprove(myDecisionRoles());
  }

  private void decide(RestoreRequestView r, boolean approve) {
    Dialog d = new Dialog((approve ? "Approve" : "Reject") + " restore request " + r.id());
    TextArea comment = new TextArea("Comment");
    comment.setWidthFull();
    d.add(new Paragraph(r.overwrites()), new Paragraph("Reason given: " + r.reason()), comment);
    Button ok =
        new Button(
            approve ? "Approve and start" : "Reject",
            e ->
                Notifications.attempt(
                    () -> {
                      if (approve) {
                        RestoreRequestView v =
                            restores.approve(
                                r.id(),
                                Origins.user(),
                                myDecisionRoles(),
                                comment.getValue(),
                                Origins.current());
                        Notifications.success("Approved; restore job " + v.jobId() + " is queued.");
                      } else {
                        restores.reject(
                            r.id(),
                            Origins.user(),
                            myDecisionRoles(),
                            comment.getValue(),
                            Origins.current());
                        Notifications.success("Rejected.");
                      }
                      data.refreshAll();
                      d.close();
                    }));
    ok.addThemeVariants(
        approve ? ButtonVariant.LUMO_SUCCESS : ButtonVariant.LUMO_ERROR,
        ButtonVariant.LUMO_PRIMARY);
    ok.setId(approve ? "confirm-approve" : "confirm-reject");
    d.getFooter().add(new Button("Back", e -> d.close()), ok);
    d.setWidth("36rem");
    d.open();
  }

  private static java.time.Instant instant(DateTimePicker p) {
    return p.getValue() == null
        ? null
        : p.getValue().atZone(java.time.ZoneId.systemDefault()).toInstant();
  }

  private static final String WHOLE = "A disk or a partition";
  private static final String FILES = "Files and folders";

  /** The lines of the files box; a request without any is refused with a message. */
  private static List<String> paths(String typed) {
    List<String> lines =
        typed == null
            ? List.of()
            : typed.lines().map(String::trim).filter(l -> !l.isEmpty()).toList();
    if (lines.isEmpty()) {
      throw new IllegalArgumentException("Name the files or folders to restore, one per line.");
    }
    return lines;
  }

  private void openRequestDialog() {
    Dialog d = new Dialog("Request a restore");
    ComboBox<MachineOverview> source = new ComboBox<>("Machine the backup is of");
    source.setItems(
        q -> machines.page(q.getFilter().orElse(null), q.getOffset(), q.getLimit()).stream());
    source.setItemLabelGenerator(MachineOverview::name);
    ComboBox<ImageView> image = new ComboBox<>("Backup (image)");
    image.setItemLabelGenerator(i -> Format.time(i.created()) + " · " + i.manifestId());
    source.addValueChangeListener(
        e -> {
          image.clear();
          if (e.getValue() != null) {
            image.setItems(images.page(e.getValue().id(), 0, 100));
          }
        });
    ComboBox<MachineOverview> targetMachine = new ComboBox<>("Restore onto machine");
    // a retired machine's images restore onto machines in service only (retired ones come last)
    targetMachine.setItems(
        q ->
            machines.page(q.getFilter().orElse(null), q.getOffset(), q.getLimit()).stream()
                .filter(m -> !m.retired()));
    targetMachine.setItemLabelGenerator(MachineOverview::name);
    source.addValueChangeListener(
        e -> {
          if (targetMachine.isEmpty()) {
            targetMachine.setValue(e.getValue());
          }
        });
    RadioButtonGroup<String> mode = new RadioButtonGroup<>("Restore");
    mode.setItems(WHOLE, FILES);
    mode.setValue(WHOLE);
    mode.setId("restore-mode");
    TextArea files = new TextArea("Files and folders");
    files.setId("restore-files");
    files.setPlaceholder("/home/alice/Documents/report.odt\nC:\\Users\\bob\\Desktop");
    files.setHelperText(
        "One path per line inside the partition, as Linux or Windows shows it; a folder comes"
            + " with everything in it");
    files.setVisible(false);
    Button browse = new Button("Browse the backup…", VaadinIcon.FOLDER_OPEN_O.create());
    browse.setId("restore-browse");
    browse.setVisible(false);
    ComboBox<ImageDisk> disk = new ComboBox<>("Disk in the image");
    disk.setItemLabelGenerator(x -> x.name() + " · " + Format.bytes(x.size()));
    disk.setHelperText("Chosen for you when the image holds one disk");
    Select<ImageDisk.Part> partition = new Select<>();
    partition.setLabel("What to restore");
    partition.setEmptySelectionAllowed(true);
    partition.setEmptySelectionCaption("The whole disk");
    partition.setItemLabelGenerator(
        p -> p == null ? "The whole disk" : p.describe() + " · " + Format.bytes(p.length()));
    image.addValueChangeListener(
        e -> {
          disk.clear();
          List<ImageDisk> disks =
              e.getValue() == null ? List.of() : images.disks(e.getValue().id());
          disk.setItems(disks);
          if (disks.size() == 1) {
            disk.setValue(disks.get(0));
          }
        });
    Runnable offerPartitions =
        () -> {
          ImageDisk chosen = disk.getValue();
          List<ImageDisk.Part> parts = chosen == null ? List.of() : chosen.partitions();
          if (mode.getValue().equals(FILES)) {
            // only filesystems whose files the worker can read
            parts = parts.stream().filter(p -> ImageFiles.listable(p.filesystem())).toList();
          }
          partition.setItems(parts);
          partition.clear();
          if (mode.getValue().equals(FILES) && parts.size() == 1) {
            partition.setValue(parts.get(0));
          }
        };
    disk.addValueChangeListener(e -> offerPartitions.run());
    ComboBox<String> target = new ComboBox<>("Target disk or file on that machine");
    target.setAllowCustomValue(true);
    target.addCustomValueSetListener(e -> target.setValue(e.getDetail().trim()));
    target.setPlaceholder("/dev/sdb or /srv/restore/disk.img");
    target.setHelperText("Pick a disk its worker reported, or type a device or file path");
    // one provider whose list changes: new items never wipe what was typed or picked
    List<String> offeredPaths = new ArrayList<>();
    Map<String, String> labels = new HashMap<>();
    ListDataProvider<String> offered = new ListDataProvider<>(offeredPaths);
    target.setItems(offered);
    target.setItemLabelGenerator(path -> labels.getOrDefault(path, path));
    Runnable offerTargets =
        () -> {
          MachineOverview onto = targetMachine.getValue();
          List<TargetChoice> choices =
              onto == null || mode.getValue().equals(FILES)
                  ? List.of()
                  : TargetChoice.of(
                      machines.detail(onto.id()).map(m -> m.disks()).orElse(List.of()),
                      partition.getValue() != null);
          offeredPaths.clear();
          labels.clear();
          for (TargetChoice c : choices) {
            offeredPaths.add(c.path());
            labels.put(c.path(), c.label());
          }
          offered.refreshAll();
        };
    targetMachine.addValueChangeListener(e -> offerTargets.run());
    mode.addValueChangeListener(
        e -> {
          boolean fileRestore = e.getValue().equals(FILES);
          files.setVisible(fileRestore);
          browse.setVisible(fileRestore);
          partition.setLabel(fileRestore ? "Partition that holds them" : "What to restore");
          partition.setEmptySelectionCaption(
              fileRestore ? "The disk (no partitions)" : "The whole disk");
          target.setLabel(
              fileRestore
                  ? "Folder on that machine to copy them into"
                  : "Target disk or file on that machine");
          target.setPlaceholder(
              fileRestore ? "/home/alice/restored" : "/dev/sdb or /srv/restore/disk.img");
          target.setHelperText(
              fileRestore
                  ? "Each file or folder lands in it under its own name; nothing there is"
                      + " overwritten"
                  : "Pick a disk its worker reported, or type a device or file path");
          offerPartitions.run();
          offerTargets.run();
        });
    partition.addValueChangeListener(e -> offerTargets.run());
    TextArea reason = new TextArea("Reason");
    source.setId("restore-source");
    image.setId("restore-image");
    targetMachine.setId("restore-target-machine");
    target.setId("restore-target");
    disk.setId("restore-disk");
    partition.setId("restore-partition");
    reason.setId("restore-reason");
    DateTimePicker windowStart = new DateTimePicker("Not before (optional)");
    DateTimePicker windowEnd = new DateTimePicker("Not after (optional)");
    windowStart.setId("restore-window-start");
    windowEnd.setId("restore-window-end");
    windowStart.setHelperText("e.g. after office hours");
    FormLayout form =
        new FormLayout(
            source,
            image,
            mode,
            disk,
            partition,
            files,
            browse,
            targetMachine,
            target,
            windowStart,
            windowEnd,
            reason);
    form.setColspan(files, 2);
    browse.addClickListener(
        e ->
            Notifications.attempt(
                () -> {
                  if (image.getValue() == null || disk.getValue() == null) {
                    throw new IllegalArgumentException("Choose a backup and its disk first.");
                  }
                  boolean partitioned = !disk.getValue().partitions().isEmpty();
                  if (partitioned && partition.getValue() == null) {
                    throw new IllegalArgumentException(
                        "Choose the partition that holds the files first.");
                  }
                  new BrowseDialog(
                          jobs,
                          image.getValue().id(),
                          disk.getValue().name(),
                          partition.getValue() == null ? null : partition.getValue().number(),
                          picked -> {
                            List<String> lines = new ArrayList<>(files.getValue().lines().toList());
                            lines.removeIf(String::isBlank);
                            picked.stream().filter(p -> !lines.contains(p)).forEach(lines::add);
                            files.setValue(String.join("\n", lines));
                          })
                      .open();
                }));
    d.add(form);
    Button ask =
        new Button(
            "Ask for approval",
            e ->
                Notifications.attempt(
                    () -> {
                      if (image.getValue() == null || targetMachine.getValue() == null) {
                        throw new IllegalArgumentException(
                            "Choose a backup and the machine to restore onto.");
                      }
                      RestoreRequestView v =
                          restores.request(
                              new RestoreService.Spec(
                                  image.getValue().id(),
                                  disk.getValue() == null ? null : disk.getValue().name(),
                                  partition.getValue() == null
                                      ? null
                                      : partition.getValue().number(),
                                  targetMachine.getValue().id(),
                                  target.getValue(),
                                  reason.getValue(),
                                  instant(windowStart),
                                  instant(windowEnd),
                                  mode.getValue().equals(FILES) ? paths(files.getValue()) : null),
                              Origins.user(),
                              Origins.current());
                      Notifications.success(
                          "Request " + v.id() + " is " + v.state() + ". " + v.overwrites());
                      data.refreshAll();
                      d.close();
                    }));
    ask.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    ask.setId("ask-approval");
    d.getFooter().add(new Button("Cancel", e -> d.close()), ask);
    d.setWidth("48rem");
    d.open();
  }
}
