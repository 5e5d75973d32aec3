package io.holdfast.maintenance.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.checkbox.Checkbox;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.FlexComponent.Alignment;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.IntegerField;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.holdfast.jobs.JobState;
import io.holdfast.jobs.MaintenanceRun;
import io.holdfast.maintenance.MaintenanceService;
import io.holdfast.maintenance.RepositoryStatus;
import io.holdfast.platform.Role;
import io.holdfast.repositories.RepositoryInfo;
import io.holdfast.repositories.RepositoryService;
import io.holdfast.repositories.RepositorySpec;
import io.holdfast.ui.CurrentUser;
import io.holdfast.ui.Format;
import io.holdfast.ui.LiveRefresh;
import io.holdfast.ui.MainLayout;
import io.holdfast.ui.Notifications;
import io.holdfast.ui.Origins;
import io.holdfast.worker.protocol.Protocol;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Repositories: where images live, how full they are, and their nightly maintenance. */
@Route(value = "repositories", layout = MainLayout.class)
@PageTitle("Repositories · Holdfast")
@RolesAllowed({Role.Names.ADMIN, Role.Names.OPERATOR, Role.Names.AUDITOR})
public class RepositoriesView extends VerticalLayout {

  private final MaintenanceService maintenance;
  private final RepositoryService repositories;
  private final Div list = new Div();
  private final Map<Long, Card> cards = new LinkedHashMap<>();
  // what the cards were made from: a rename or a new folder makes them anew
  private List<String> drawn = List.of();

  @Inject
  public RepositoriesView(MaintenanceService maintenance, RepositoryService repositories) {
    this.maintenance = maintenance;
    this.repositories = repositories;
    setId("repositories-view");
    Protocol.MaintenanceOrder o = maintenance.order();
    HorizontalLayout head = new HorizontalLayout(new H2("Repositories"));
    head.setAlignItems(Alignment.BASELINE);
    if (CurrentUser.hasAnyRole(Role.ADMIN)) {
      Button add = new Button("Add repository", VaadinIcon.PLUS.create(), e -> edit(null));
      add.setId("add-repository");
      add.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
      head.add(add);
    }
    add(
        head,
        new Paragraph(
            "Backups compress fast so that they end soon. Maintenance, run by a worker that uses"
                + " the repository, deletes chunks no image needs any more and compresses what"
                + " backups stored again at the "
                + o.compression()
                + " level, up to "
                + Format.bytes(o.budgetBytes())
                + " a run. Images keep their chunks and stay restorable throughout."
                + maintenance
                    .reverify()
                    .map(
                        v ->
                            " In the same window, images never verified or not for "
                                + v.afterDays()
                                + " days are verified again, up to "
                                + Format.bytes(v.budgetBytes())
                                + " of them a run, so damage on the disk shows before a"
                                + " restore needs the image.")
                    .orElse("")));
    list.setWidthFull();
    add(list);
    refresh();
    // a running maintenance ends while the page is open; redrawn only when something changed
    LiveRefresh.every(list, 3000, this::refresh);
  }

  /**
   * Cards are made once per repository and updated in place: free space changes with every write on
   * the filesystem, and a card drawn anew each time would swallow a click on its button.
   */
  private void refresh() {
    List<RepositoryStatus> now = maintenance.statuses();
    List<String> shown = now.stream().map(r -> r.id() + " " + r.name() + " " + r.path()).toList();
    if (!shown.equals(drawn)) {
      drawn = shown;
      cards.clear();
      list.removeAll();
      now.forEach(
          r -> {
            Card c = new Card(r);
            cards.put(r.id(), c);
            list.add(c);
          });
    }
    now.forEach(r -> cards.get(r.id()).show(r));
  }

  /** One repository: what it is, how full, and its maintenance. */
  private final class Card extends Div {

    private final Span free = new Span();
    private final Span chunks = new Span();
    private final Span next = new Span();
    private final Div last = new Div();
    private String lastShown;

    Card(RepositoryStatus r) {
      addClassName("holdfast-card");
      setId("repository-" + r.name());
      getStyle().set("margin-bottom", "var(--lumo-space-m)");
      Span path = new Span(r.path());
      path.getStyle().set("font-family", "var(--lumo-font-family-monospace, monospace)");
      RepositoryInfo info = repositories.get(r.id());
      Div where = new Div(path);
      if (info != null && info.encrypted()) {
        Span lock = new Span("encrypted");
        lock.addClassName("repository-encrypted");
        lock.getElement().getThemeList().add("badge");
        lock.getStyle().set("margin-left", "var(--lumo-space-s)");
        where.add(lock);
      }
      last.addClassName("last-maintenance");
      add(
          new H3(r.name()),
          where,
          fact("Free space", free),
          fact("Chunk data", chunks),
          fact("Next maintenance", next),
          last);
      if (CurrentUser.hasAnyRole(Role.ADMIN, Role.OPERATOR)) {
        Button now =
            new Button(
                "Run maintenance now",
                VaadinIcon.TOOLS.create(),
                e ->
                    Notifications.attempt(
                        () -> {
                          long job =
                              maintenance.runNow(
                                  r.id(), Origins.user(), "console", Origins.current());
                          Notifications.success(
                              "Maintenance of " + r.name() + " queued as job " + job);
                          refresh();
                        }));
        now.addClassName("run-maintenance");
        now.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
        HorizontalLayout actions = new HorizontalLayout(now);
        actions.getStyle().set("margin-top", "var(--lumo-space-s)");
        if (CurrentUser.hasAnyRole(Role.ADMIN)) {
          Button change = new Button("Edit", VaadinIcon.EDIT.create(), e -> edit(r));
          change.addClassName("edit-repository");
          Button remove =
              new Button(
                  "Remove",
                  VaadinIcon.TRASH.create(),
                  e ->
                      Notifications.attempt(
                          () -> {
                            repositories.delete(r.id(), Origins.user(), Origins.current());
                            Notifications.success(
                                "Repository " + r.name() + " removed; its folder was left alone");
                            refresh();
                          }));
          remove.addClassName("remove-repository");
          remove.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
          actions.add(change, remove);
        }
        add(actions);
      }
    }

    void show(RepositoryStatus r) {
      free.setText(
          r.usableBytes() == null
              ? "cannot be read from the console"
              : Format.bytes(r.usableBytes()) + " of " + Format.bytes(r.totalBytes()));
      chunks.setText(
          r.storedBytes() == null
              ? "measured by the first maintenance"
              : Format.bytes(r.storedBytes()) + " (at " + Format.time(r.maintainedAt()) + ")");
      next.setText(
          r.nextMaintenance() == null
              ? "not scheduled (holdfast.maintenance.scheduled=false)"
              : Format.time(r.nextMaintenance()));
      MaintenanceRun m = r.lastMaintenance();
      String text =
          m == null ? "never" : m.state().name().toLowerCase() + " · " + when(m) + outcome(m);
      if (!text.equals(lastShown)) {
        lastShown = text;
        last.removeAll();
        last.add(label("Last maintenance"));
        if (m != null) {
          last.add(new Anchor("jobs/" + m.jobId(), "job " + m.jobId()), new Span(" · "));
        }
        last.add(new Span(text));
      }
    }
  }

  /** Adds a repository ({@code r} null) or changes one. */
  private void edit(RepositoryStatus r) {
    Dialog d = new Dialog(r == null ? "Add repository" : "Edit repository " + r.name());
    TextField name = new TextField("Name");
    name.setId("repository-name");
    name.setPlaceholder("nas-1");
    name.setHelperText("Letters, digits, dots, dashes and underscores");
    TextField path = new TextField("Folder");
    path.setId("repository-path");
    path.setPlaceholder("/mnt/nas/holdfast");
    path.setHelperText(
        "As the workers that use it see it: a local disk or a mounted share. A worker makes the"
            + " repository there with the first backup that goes to it.");
    path.setWidthFull();
    IntegerField jobs = new IntegerField("Jobs at once");
    jobs.setId("repository-max-jobs");
    jobs.setMin(1);
    jobs.setMax(64);
    jobs.setStepButtonsVisible(true);
    jobs.setValue(4);
    Checkbox encrypted = new Checkbox("Encrypt (AES-256-GCM)");
    encrypted.setId("repository-encrypted");
    encrypted.setTooltipText(
        "Each worker that uses it needs the passphrase (--passphrase-file); the console never"
            + " holds it. Chosen when the repository is added.");
    if (r != null) {
      name.setValue(r.name());
      path.setValue(r.path());
      RepositoryInfo stored = repositories.get(r.id());
      encrypted.setValue(stored != null && stored.encrypted());
      encrypted.setEnabled(false);
      jobs.setValue(stored == null ? 4 : stored.maxJobs());
    }
    FormLayout form = new FormLayout(name, jobs, path, encrypted);
    form.setColspan(path, 2);
    form.setColspan(encrypted, 2);
    Paragraph keyHelp =
        new Paragraph(
            "Encrypted: every worker that backs up to it, restores, verifies or maintains it"
                + " needs the same passphrase, given with --passphrase-file or"
                + " HOLDFAST_REPO_PASSPHRASE. The console never sees it; keep a copy, since"
                + " without it the images cannot be read.");
    keyHelp.getStyle().set("font-size", "var(--lumo-font-size-s)").set("margin", "0");
    d.add(form, keyHelp);
    Button save =
        new Button(
            r == null ? "Add" : "Save",
            e ->
                Notifications.attempt(
                    () -> {
                      RepositorySpec spec =
                          new RepositorySpec(
                              name.getValue(),
                              path.getValue(),
                              jobs.getValue(),
                              encrypted.getValue());
                      RepositoryInfo saved =
                          r == null
                              ? repositories.create(spec, Origins.user(), Origins.current())
                              : repositories.update(
                                  r.id(), spec, Origins.user(), Origins.current());
                      Notifications.success(
                          "Repository " + saved.name() + " at " + saved.path() + " saved");
                      d.close();
                      refresh();
                    }));
    save.setId("save-repository");
    save.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    d.getFooter().add(new Button("Cancel", e -> d.close()), save);
    d.setWidth("36rem");
    d.open();
  }

  private static String when(MaintenanceRun m) {
    return m.finishedAt() != null
        ? "ended " + Format.time(m.finishedAt())
        : "queued " + Format.time(m.createdAt()) + " (" + m.cause() + ")";
  }

  private static String outcome(MaintenanceRun m) {
    if (m.state() != JobState.SUCCEEDED) {
      return m.error() == null ? "" : " · " + m.error();
    }
    Protocol.MaintenanceSummary s = m.summary();
    if (s == null) {
      return "";
    }
    String text =
        " · freed "
            + Format.bytes(s.bytesFreed())
            + " ("
            + s.chunksDeleted()
            + " unused chunks) · recompressed "
            + s.packsRecompressed()
            + " packs, "
            + Format.bytes(s.bytesBefore())
            + " → "
            + Format.bytes(s.bytesAfter());
    if (s.packsLeft() > 0) {
      text += " · " + s.packsLeft() + " packs left for the next run";
    }
    if (!s.problems().isEmpty()) {
      text += " · " + s.problems().size() + " damaged packs left alone: run verify";
    }
    return text;
  }

  private static Div fact(String label, Span value) {
    return new Div(label(label), value);
  }

  private static Span label(String text) {
    Span l = new Span(text + ": ");
    l.getStyle().set("color", "var(--lumo-secondary-text-color)");
    return l;
  }
}
