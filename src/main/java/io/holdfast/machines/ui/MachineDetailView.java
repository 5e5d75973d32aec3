package io.holdfast.machines.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.H3;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.BeforeEvent;
import com.vaadin.flow.router.HasUrlParameter;
import com.vaadin.flow.router.NotFoundException;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.holdfast.images.ImageService;
import io.holdfast.images.ImageView;
import io.holdfast.images.ui.VerifiedColumn;
import io.holdfast.jobs.JobFilter;
import io.holdfast.jobs.JobService;
import io.holdfast.jobs.ui.JobGrid;
import io.holdfast.machines.MachineDetail;
import io.holdfast.machines.MachineService;
import io.holdfast.platform.Role;
import io.holdfast.ui.CurrentUser;
import io.holdfast.ui.Format;
import io.holdfast.ui.MainLayout;
import io.holdfast.ui.Notifications;
import io.holdfast.ui.Origins;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import java.util.HashMap;
import java.util.Map;

/** One machine: its disks drawn to scale, its images and jobs, and the buttons to act. */
@Route(value = "machines", layout = MainLayout.class)
@PageTitle("Machine · Holdfast")
@PermitAll
public class MachineDetailView extends VerticalLayout implements HasUrlParameter<Long> {

  private final MachineService machines;
  private final ImageService images;
  private final JobService jobs;
  private final ObjectMapper json;

  @Inject
  public MachineDetailView(
      MachineService machines, ImageService images, JobService jobs, ObjectMapper json) {
    this.machines = machines;
    this.images = images;
    this.jobs = jobs;
    this.json = json;
    setId("machine-detail");
  }

  @Override
  public void setParameter(BeforeEvent event, Long id) {
    MachineDetail m = machines.detail(id).orElseThrow(NotFoundException::new);
    removeAll();
    add(new HorizontalLayout(new H2(m.name()), MachinesView.stateBadge(m.online(), m.retired())));
    if (m.retired()) {
      Paragraph retired =
          new Paragraph(
              "Retired "
                  + Format.time(m.retiredAt())
                  + " by "
                  + m.retiredBy()
                  + ": "
                  + m.retiredReason()
                  + ". It gets no new work; its images stay, to restore onto another machine."
                  + " Enrolling a worker for it again brings it back.");
      retired.setId("machine-retired");
      add(retired);
    }
    add(
        new Paragraph(
            (m.os() == null ? "OS not reported yet" : m.os())
                + " · "
                + (m.cpus() == null ? "?" : m.cpus())
                + " CPUs · "
                + (m.memoryBytes() == null ? "?" : Format.bytes(m.memoryBytes()))
                + " memory · worker "
                + (m.agentVersion() == null ? "?" : m.agentVersion())
                + " · last seen "
                + Format.time(m.lastSeen())));

    boolean mayAct = !CurrentUser.hasAnyRole(Role.AUDITOR);
    Button backup =
        new Button(
            "Back up now",
            VaadinIcon.DOWNLOAD.create(),
            e ->
                Notifications.attempt(
                    () -> {
                      long job =
                          jobs.enqueueBackup(
                              m.id(), null, Origins.user(), "back up now", Origins.current());
                      Notifications.success("Backup of " + m.name() + " queued as job " + job);
                    }));
    backup.setId("backup-now");
    backup.addThemeVariants(ButtonVariant.LUMO_PRIMARY);
    Button verify =
        new Button(
            "Verify latest",
            VaadinIcon.CHECK_CIRCLE.create(),
            e ->
                Notifications.attempt(
                    () -> {
                      ImageView latest =
                          images
                              .latest(m.id())
                              .orElseThrow(
                                  () ->
                                      new IllegalStateException(
                                          m.name() + " has no image to verify yet."));
                      long job =
                          jobs.enqueueVerify(
                              latest.id(), Origins.user(), "verify latest", Origins.current());
                      Notifications.success(
                          "Verify of image " + latest.manifestId() + " queued as job " + job);
                    }));
    verify.setId("verify-latest");
    verify.setVisible(CurrentUser.hasAnyRole(Role.ADMIN, Role.OPERATOR));
    backup.setVisible(mayAct && !m.retired());
    Button retire =
        new Button(
            "Retire…",
            VaadinIcon.ARCHIVE.create(),
            e -> RetireMachineDialog.retire(m, machines, () -> setParameter(null, m.id())).open());
    retire.setId("retire-machine");
    retire.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
    retire.setVisible(CurrentUser.hasAnyRole(Role.ADMIN) && !m.retired());
    long imageCount = images.count(m.id());
    Button deleteImages =
        new Button(
            "Delete all images…",
            VaadinIcon.TRASH.create(),
            e -> RetireMachineDialog.deleteImages(m, imageCount, jobs).open());
    deleteImages.setId("delete-machine-images");
    deleteImages.addThemeVariants(ButtonVariant.LUMO_ERROR, ButtonVariant.LUMO_TERTIARY);
    deleteImages.setVisible(CurrentUser.hasAnyRole(Role.ADMIN) && m.retired() && imageCount > 0);
    add(new HorizontalLayout(backup, verify, retire, deleteImages));

    add(new H3("Disks"));
    Map<String, Map<Integer, DiskBar.PartitionFacts>> facts = facts(m.id());
    if (m.disks().isEmpty()) {
      add(new Paragraph("The worker has not reported any disks yet."));
    }
    m.disks().forEach(d -> add(new DiskBar(d, facts.getOrDefault(d.name(), Map.of()))));

    add(new H3("Images"));
    Grid<ImageView> imageGrid = new Grid<>(ImageView.class, false);
    imageGrid.setAllRowsVisible(true);
    imageGrid.addColumn(i -> Format.time(i.created())).setHeader("Created").setAutoWidth(true);
    imageGrid.addColumn(ImageView::manifestId).setHeader("Image").setAutoWidth(true);
    imageGrid.addColumn(i -> Format.bytes(i.usedBytes())).setHeader("Used");
    imageGrid.addColumn(i -> Format.bytes(i.storedBytes())).setHeader("Stored new");
    VerifiedColumn.addTo(imageGrid);
    imageGrid.setItems(
        q -> images.page(m.id(), q.getOffset(), Math.min(q.getLimit(), 10)).stream().limit(10));
    add(imageGrid);

    add(new H3("Recent jobs"));
    add(new JobGrid(jobs, new JobFilter(null, null, m.id(), null), 10));
  }

  /** Per disk and partition, the filesystem and used bytes the newest image found. */
  private Map<String, Map<Integer, DiskBar.PartitionFacts>> facts(long machineId) {
    Map<String, Map<Integer, DiskBar.PartitionFacts>> out = new HashMap<>();
    images
        .latest(machineId)
        .ifPresent(
            img -> {
              try {
                JsonNode disks = json.readTree(images.disksJson(img.id()));
                for (JsonNode d : disks) {
                  Map<Integer, DiskBar.PartitionFacts> parts = new HashMap<>();
                  for (JsonNode p : d.path("imaging")) {
                    parts.put(
                        p.path("number").asInt(),
                        new DiskBar.PartitionFacts(
                            p.path("filesystem").asText(),
                            p.path("usedBytes").asLong(),
                            p.path("method").asText()));
                  }
                  out.put(d.path("name").asText(), parts);
                }
              } catch (java.io.IOException e) {
                // no facts: the bars still show the layout
              }
            });
    return out;
  }
}
