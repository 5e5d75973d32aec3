package io.holdfast.plans.ui;

import com.vaadin.flow.component.Component;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.combobox.ComboBox;
import com.vaadin.flow.component.combobox.MultiSelectComboBox;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.select.Select;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.renderer.ComponentRenderer;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.holdfast.jobs.JobState;
import io.holdfast.machines.DiskView;
import io.holdfast.machines.MachineOverview;
import io.holdfast.machines.MachineService;
import io.holdfast.plans.PlanService;
import io.holdfast.plans.PlanSpec;
import io.holdfast.plans.PlanView;
import io.holdfast.plans.RetentionPreview;
import io.holdfast.platform.Role;
import io.holdfast.repositories.RepositoryInfo;
import io.holdfast.repositories.RepositoryService;
import io.holdfast.ui.CurrentUser;
import io.holdfast.ui.EmptyState;
import io.holdfast.ui.Format;
import io.holdfast.ui.LiveRefresh;
import io.holdfast.ui.MainLayout;
import io.holdfast.ui.Notifications;
import io.holdfast.ui.Origins;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/** Backup plans: what is backed up, where and when; admins and operators make and change them. */
@Route(value = "plans", layout = MainLayout.class)
@PageTitle("Plans · Holdfast")
@PermitAll
public class PlansView extends VerticalLayout {

  /** Schedules people ask for most, as cron expressions; the field takes any other. */
  private static final String ONLY_ONLINE = "None: only when online";

  private static final Map<String, String> PRESETS = new LinkedHashMap<>();

  static {
    PRESETS.put("Every day at 02:00", "0 2 * * *");
    PRESETS.put("Weekdays at 22:30", "30 22 * * 1-5");
    PRESETS.put("Every 6 hours", "0 */6 * * *");
    PRESETS.put("Sundays at 03:00", "0 3 * * 0");
    PRESETS.put("First of the month at 01:00", "0 1 1 * *");
    PRESETS.put(ONLY_ONLINE, "");
  }

  private static final String ALL_DISKS = "All disks";

  private final PlanService plans;
  private final MachineService machines;
  private final RepositoryService repositories;
  private final boolean mayChange = CurrentUser.hasAnyRole(Role.ADMIN, Role.OPERATOR);
  private final Grid<PlanView> grid = new Grid<>(PlanView.class, false);
  private final EmptyState empty =
      new EmptyState(
          VaadinIcon.CALENDAR_CLOCK,
          "No backup plans yet",
          "A plan says what to back up, where and when; the console queues its backups by"
              + " itself.");
  private List<PlanView> shown = List.of();

  @Inject
  public PlansView(PlanService plans, MachineService machines, RepositoryService repositories) {
    this.plans = plans;
    this.machines = machines;
    this.repositories = repositories;
    setId("plans-view");
    setSizeFull();
    Button add = new Button("New plan", VaadinIcon.PLUS.create(), e -> openEditor(null));
    add.setId("new-plan");
    add.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    add.setVisible(mayChange);
    HorizontalLayout head = new HorizontalLayout(new H2("Plans"), add);
    head.setAlignItems(Alignment.BASELINE);
    add(
        head,
        new Paragraph(
            "Each plan backs up its machines' disks into a repository on its schedule, each"
                + " machine in a backup job of its own. A due time that finds a machine's previous"
                + " backup still running passes over that machine, so"
                + " backups never pile up; a scheduled backup that fails is tried again after a"
                + " wait. Every run is in the audit log."));
    grid.setId("plans-grid");
    // names and schedules are read whole, not cut short
    grid.addThemeVariants(GridVariant.LUMO_WRAP_CELL_CONTENT);
    grid.addColumn(PlanView::name)
        .setHeader("Plan")
        .setFlexGrow(2)
        .setTooltipGenerator(PlanView::name);
    grid.addColumn(PlansView::what)
        .setHeader("What, where")
        .setFlexGrow(2)
        .setTooltipGenerator(PlansView::what);
    grid.addColumn(
            p ->
                when(p)
                    + (p.verifyAfter() ? ", then verify" : "")
                    + "; "
                    + p.keep()
                    + "; "
                    + PlanService.retries(p.retries(), p.retryWaitMinutes())
                    + switch (p.compression()) {
                      case "none" -> "; no compression";
                      case "balanced" -> "; compression balanced (zstd 3)";
                      default -> "";
                    })
        .setHeader("When, how long")
        .setFlexGrow(2)
        .setTooltipGenerator(PlansView::when);
    grid.addColumn(
            p ->
                !p.enabled()
                    ? "disabled"
                    : p.nextRun() == null ? "when online" : Format.time(p.nextRun()))
        .setHeader("Next run")
        .setAutoWidth(true)
        .setFlexGrow(0);
    grid.addColumn(new ComponentRenderer<>(PlansView::lastBackup))
        .setHeader("Last backup")
        .setWidth("12rem")
        .setFlexGrow(0);
    if (mayChange) {
      grid.addColumn(new ComponentRenderer<>(this::actions))
          .setHeader("")
          .setWidth("9.5rem")
          .setFlexGrow(0);
    }
    grid.setAllRowsVisible(true);
    add(empty, grid);
    refresh();
    LiveRefresh.every(grid, 5000, this::refresh);
  }

  private void refresh() {
    List<PlanView> now = plans.all();
    if (!now.equals(shown)) {
      shown = now;
      grid.setItems(now);
    }
    empty.setVisible(now.isEmpty());
    grid.setVisible(!now.isEmpty());
  }

  private static IntegerField keepField(String label, String id) {
    IntegerField f = new IntegerField(label);
    f.setId(id);
    f.setMin(0);
    f.setStepButtonsVisible(false);
    return f;
  }

  private static int count(IntegerField f) {
    return f.getValue() == null ? 0 : f.getValue();
  }

  private static String compressionLabel(String c) {
    return switch (c) {
      case "none" -> "None";
      case "balanced" -> "Balanced (zstd 3)";
      default -> "Fast (zstd 1)";
    };
  }

  private static String what(PlanView p) {
    return p.machine()
        + (p.disk() == null ? ", all disks" : ", " + p.disk())
        + " → "
        + p.repository();
  }

  /** "Every day at 02:00 (Europe/Berlin), and when online every 24 h". */
  private static String when(PlanView p) {
    String online =
        p.onlineEveryHours() == null ? null : "when online every " + p.onlineEveryHours() + " h";
    if (p.schedule() == null) {
      return online == null ? "" : Character.toUpperCase(online.charAt(0)) + online.substring(1);
    }
    return describe(p.schedule())
        + " ("
        + p.timeZone()
        + ")"
        + (online == null ? "" : ", and " + online);
  }

  private static String describe(String cron) {
    return PRESETS.entrySet().stream()
        .filter(e -> e.getValue().equals(cron))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse(cron);
  }

  private static Component lastBackup(PlanView p) {
    if (p.lastJobId() == null) {
      return new Span("none yet");
    }
    Span state = new Span(p.lastJobState().name().toLowerCase());
    state
        .getElement()
        .getThemeList()
        .add(
            p.lastJobState() == JobState.SUCCEEDED
                ? "badge success"
                : p.lastJobState() == JobState.FAILED ? "badge error" : "badge");
    HorizontalLayout h =
        new HorizontalLayout(new Anchor("jobs/" + p.lastJobId(), "job " + p.lastJobId()), state);
    h.setSpacing(true);
    h.getElement().setAttribute("title", Format.time(p.lastJobAt()));
    return h;
  }

  private Component actions(PlanView p) {
    Button run =
        new Button(
            VaadinIcon.PLAY.create(),
            e ->
                Notifications.attempt(
                    () -> {
                      List<Long> jobs = plans.runNow(p.id(), Origins.user(), Origins.current());
                      Notifications.success(
                          "Backup of plan "
                              + p.name()
                              + (jobs.size() == 1
                                  ? " queued as job " + jobs.get(0)
                                  : " queued as jobs "
                                      + String.join(
                                          ", ", jobs.stream().map(String::valueOf).toList())));
                      refresh();
                    }));
    run.addClassName("run-plan");
    run.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    run.setAriaLabel("Run plan " + p.name() + " now");
    run.setTooltipText("Back up now");
    Button edit = new Button(VaadinIcon.EDIT.create(), e -> openEditor(p));
    edit.addClassName("edit-plan");
    edit.addThemeVariants(ButtonVariant.LUMO_TERTIARY);
    edit.setAriaLabel("Edit plan " + p.name());
    edit.setTooltipText("Edit");
    Button delete = new Button(VaadinIcon.TRASH.create(), e -> confirmDelete(p));
    delete.addClassName("delete-plan");
    delete.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
    delete.setAriaLabel("Delete plan " + p.name());
    delete.setTooltipText("Delete");
    HorizontalLayout h = new HorizontalLayout(run, edit, delete);
    h.setSpacing(false);
    return h;
  }

  private void confirmDelete(PlanView p) {
    Dialog d = new Dialog("Delete plan " + p.name() + "?");
    d.add(
        new Paragraph(
            "No more backups will be queued for it. Its images and past jobs stay, and a backup"
                + " already queued still runs."));
    Button delete =
        new Button(
            "Delete",
            e ->
                Notifications.attempt(
                    () -> {
                      plans.delete(p.id(), Origins.user(), Origins.current());
                      Notifications.success("Plan " + p.name() + " deleted");
                      d.close();
                      refresh();
                    }));
    delete.setId("confirm-delete-plan");
    delete.addThemeVariants(ButtonVariant.LUMO_PRIMARY, ButtonVariant.LUMO_ERROR);
    d.getFooter().add(new Button("Cancel", e -> d.close()), delete);
    d.open();
  }

  /** Makes a plan ({@code p} null) or changes one. */
  private void openEditor(PlanView p) {
    Dialog d = new Dialog(p == null ? "New backup plan" : "Edit plan " + p.name());
    TextField name = new TextField("Name");
    name.setId("plan-name");
    name.setPlaceholder("Nightly backup of the file server");
    MultiSelectComboBox<MachineOverview> machine = new MultiSelectComboBox<>("Machines");
    machine.setId("plan-machine");
    machine.setItems(machines.page(null, 0, 1000).stream().filter(m -> !m.retired()).toList());
    machine.setItemLabelGenerator(MachineOverview::name);
    machine.setHelperText("Each gets its own backup at the plan's times");
    ComboBox<String> disk = new ComboBox<>("Disks");
    disk.setId("plan-disk");
    disk.setHelperText("All disks, or, for a plan of one machine, the one disk to back up");
    machine.addValueChangeListener(
        e -> {
          List<String> names = new ArrayList<>();
          names.add(ALL_DISKS);
          if (e.getValue().size() == 1) {
            machines
                .detail(e.getValue().iterator().next().id())
                .ifPresent(m -> m.disks().stream().map(DiskView::name).forEach(names::add));
          }
          String before = disk.getValue();
          disk.setItems(names);
          disk.setValue(names.contains(before) ? before : ALL_DISKS);
          disk.setEnabled(e.getValue().size() <= 1);
        });
    Select<RepositoryInfo> repository = new Select<>();
    repository.setLabel("Repository");
    repository.setId("plan-repository");
    List<RepositoryInfo> repos = repositories.all();
    repository.setItems(repos);
    repository.setItemLabelGenerator(r -> r.name() + " · " + r.path());
    Select<String> preset = new Select<>();
    preset.setLabel("Schedule");
    preset.setId("plan-preset");
    List<String> presetNames = new ArrayList<>(PRESETS.keySet());
    presetNames.add("Custom (cron)");
    preset.setItems(presetNames);
    TextField cron = new TextField("Cron expression");
    cron.setId("plan-schedule");
    cron.setHelperText("minute hour day month weekday, e.g. 0 2 * * * for 02:00 every day");
    preset.addValueChangeListener(
        e -> {
          String c = PRESETS.get(e.getValue());
          if (c != null) {
            cron.setValue(c);
          }
        });
    cron.addValueChangeListener(
        e -> {
          String match = describe(e.getValue());
          preset.setValue(PRESETS.containsKey(match) ? match : "Custom (cron)");
        });
    ComboBox<String> zone = new ComboBox<>("Time zone");
    zone.setId("plan-zone");
    zone.setItems(ZoneId.getAvailableZoneIds().stream().sorted().toList());
    Checkbox verify = new Checkbox("Verify each new image after its backup");
    verify.setId("plan-verify");
    Checkbox enabled = new Checkbox("Enabled");
    enabled.setId("plan-enabled");
    if (p == null) {
      cron.setValue("0 2 * * *");
      zone.setValue(ZoneId.systemDefault().getId());
      enabled.setValue(true);
      repos.stream()
          .filter(r -> r.name().equals("default"))
          .findFirst()
          .or(() -> repos.stream().findFirst())
          .ifPresent(repository::setValue);
    } else {
      name.setValue(p.name());
      Set<Long> ids = p.machines().stream().map(PlanView.Machine::id).collect(Collectors.toSet());
      machine.setValue(
          machine.getListDataView().getItems().filter(m -> ids.contains(m.id())).toList());
      disk.setValue(p.disk() == null ? ALL_DISKS : p.disk());
      repos.stream()
          .filter(r -> r.id() == p.repositoryId())
          .findFirst()
          .ifPresent(repository::setValue);
      cron.setValue(p.schedule() == null ? "" : p.schedule());
      zone.setValue(p.timeZone());
      verify.setValue(p.verifyAfter());
      enabled.setValue(p.enabled());
    }
    IntegerField[] keep = {
      keepField("Keep last", "plan-keep-last"),
      keepField("hourly", "plan-keep-hourly"),
      keepField("daily", "plan-keep-daily"),
      keepField("weekly", "plan-keep-weekly"),
      keepField("monthly", "plan-keep-monthly"),
      keepField("yearly", "plan-keep-yearly"),
    };
    PlanSpec.Keep k = p == null ? new PlanSpec.Keep(3, 0, 7, 4, 6, 0) : p.keep();
    int[] counts = {k.last(), k.hourly(), k.daily(), k.weekly(), k.monthly(), k.yearly()};
    for (int i = 0; i < keep.length; i++) {
      keep[i].setValue(counts[i]);
    }
    IntegerField retries = new IntegerField("Retries after a failed backup");
    retries.setId("plan-retries");
    retries.setMin(0);
    retries.setMax(10);
    retries.setStepButtonsVisible(true);
    retries.setHelperText("0 to 10; a backup run by hand is not retried");
    IntegerField retryWait = new IntegerField("Minutes between tries");
    retryWait.setId("plan-retry-wait");
    retryWait.setMin(1);
    retryWait.setMax(1440);
    retryWait.setStepButtonsVisible(false);
    IntegerField online = new IntegerField("When online, if the last backup is older than (h)");
    online.setId("plan-online-hours");
    online.setMin(1);
    online.setMax(PlanSpec.ONLINE_EVERY_HOURS_MAX);
    online.setClearButtonVisible(true);
    online.setHelperText(
        "Empty: off. For laptops that are off at the scheduled time: backed up soon after they"
            + " are next on");
    online.setValue(p == null ? null : p.onlineEveryHours());
    Select<String> compression = new Select<>();
    compression.setLabel("Compression");
    compression.setId("plan-compression");
    compression.setItems(PlanSpec.COMPRESSIONS);
    compression.setItemLabelGenerator(PlansView::compressionLabel);
    compression.setHelperText(
        "Balanced stores about 2 % less in about 1.3× the time; the nightly maintenance"
            + " compresses stored backups harder either way");
    compression.setValue(p == null ? "fast" : p.compression());
    retries.setValue(p == null ? PlanSpec.DEFAULT_RETRIES : p.retries());
    retryWait.setValue(p == null ? PlanSpec.DEFAULT_RETRY_WAIT_MINUTES : p.retryWaitMinutes());
    FormLayout form = new FormLayout(name, machine, disk, repository, preset, cron);
    form.add(zone, online);
    form.add(compression, 2);
    form.add(retries, retryWait);
    form.add(verify, 2);
    form.add(enabled, 2);
    FormLayout retention = new FormLayout(keep);
    retention.setResponsiveSteps(new FormLayout.ResponsiveStep("0", 6));
    Paragraph retentionHelp =
        new Paragraph(
            "After each backup, keep the newest images by these rules (0 = rule off; all 0 keeps"
                + " every image). An image a pending restore still needs is always kept; space is"
                + " freed by the repository's next maintenance.");
    retentionHelp.getStyle().set("font-size", "var(--lumo-font-size-s)").set("margin", "0");
    d.add(form, retentionHelp, retention);
    Button save =
        new Button(
            p == null ? "Create plan" : "Save",
            e ->
                Notifications.attempt(
                    () -> {
                      PlanSpec spec =
                          new PlanSpec(
                              name.getValue(),
                              null,
                              machine.getValue().stream().map(MachineOverview::id).toList(),
                              Objects.equals(disk.getValue(), ALL_DISKS) ? null : disk.getValue(),
                              repository.getValue() == null ? null : repository.getValue().id(),
                              cron.getValue(),
                              zone.getValue(),
                              verify.getValue(),
                              enabled.getValue(),
                              new PlanSpec.Keep(
                                  count(keep[0]),
                                  count(keep[1]),
                                  count(keep[2]),
                                  count(keep[3]),
                                  count(keep[4]),
                                  count(keep[5])),
                              count(retries),
                              retryWait.getValue(),
                              compression.getValue(),
                              online.getValue());
                      PlanView saved =
                          p == null
                              ? plans.create(spec, Origins.user(), Origins.current())
                              : plans.update(p.id(), spec, Origins.user(), Origins.current());
                      Notifications.success(
                          "Plan "
                              + saved.name()
                              + (!saved.enabled()
                                  ? " saved, disabled"
                                  : saved.nextRun() == null
                                      ? " backs up its machines when they are online"
                                      : " runs next at " + Format.time(saved.nextRun()))
                              + leaving(plans.retentionPreview(saved.id())));
                      d.close();
                      refresh();
                    }));
    save.setId("save-plan");
    save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    d.getFooter().add(new Button("Cancel", e -> d.close()), save);
    d.setWidth("44rem");
    d.open();
  }

  /** What the rules will let go after the plan's next backup, for the save notification. */
  static String leaving(RetentionPreview preview) {
    List<RetentionPreview.Image> go = preview.letGo();
    if (go.isEmpty()) {
      return "";
    }
    return "; after its next backup, its rules let "
        + (go.size() == 1 ? "1 image" : go.size() + " images")
        + " go (the oldest from "
        + Format.time(go.getFirst().created())
        + "), "
        + preview.kept()
        + " stay";
  }
}
