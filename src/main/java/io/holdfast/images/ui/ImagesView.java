package io.holdfast.images.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.holdfast.images.ImageService;
import io.holdfast.images.ImageView;
import io.holdfast.jobs.JobService;
import io.holdfast.machines.MachineService;
import io.holdfast.platform.Role;
import io.holdfast.ui.CurrentUser;
import io.holdfast.ui.EmptyState;
import io.holdfast.ui.Format;
import io.holdfast.ui.MainLayout;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;

@Route(value = "images", layout = MainLayout.class)
@PageTitle("Images · Holdfast")
@PermitAll
public class ImagesView extends VerticalLayout {

  @Inject
  public ImagesView(ImageService images, MachineService machines, JobService jobs) {
    setId("images-view");
    setSizeFull();
    add(new H2("Images"));
    if (images.count(null) == 0) {
      add(
          new EmptyState(
              VaadinIcon.ARCHIVE,
              "No images yet",
              "Every backup of a machine becomes an image version listed here, with its size, layout and when it was last verified."));
      return;
    }
    Grid<ImageView> grid = new Grid<>(ImageView.class, false);
    grid.setId("images-grid");
    grid.addColumn(i -> Format.time(i.created())).setHeader("Created").setAutoWidth(true);
    grid.addColumn(ImageView::machine).setHeader("Machine").setAutoWidth(true);
    grid.addColumn(ImageView::manifestId).setHeader("Image").setAutoWidth(true);
    grid.addColumn(i -> Format.bytes(i.logicalBytes())).setHeader("Disk size").setAutoWidth(true);
    grid.addColumn(i -> Format.bytes(i.usedBytes())).setHeader("Used").setAutoWidth(true);
    grid.addColumn(i -> Format.bytes(i.storedBytes())).setHeader("Stored new").setAutoWidth(true);
    VerifiedColumn.addTo(grid);
    if (CurrentUser.hasAnyRole(Role.ADMIN)) {
      grid.addComponentColumn(
              i -> {
                Button export =
                    new Button(
                        VaadinIcon.EXTERNAL_LINK.create(),
                        e -> new ExportDialog(i, images, machines, jobs).open());
                export.addThemeVariants(ButtonVariant.LUMO_TERTIARY_INLINE);
                export.addClassName("export-image");
                export.setTooltipText("Export as VHDX or raw file");
                export.setAriaLabel("Export image " + i.manifestId());
                Button delete =
                    new Button(
                        VaadinIcon.TRASH.create(),
                        e ->
                            DeleteImageDialog.of(i, jobs, () -> grid.getDataProvider().refreshAll())
                                .open());
                delete.addThemeVariants(
                    ButtonVariant.LUMO_TERTIARY_INLINE, ButtonVariant.LUMO_ERROR);
                delete.addClassName("delete-image");
                delete.setTooltipText("Delete this image");
                delete.setAriaLabel("Delete image " + i.manifestId());
                HorizontalLayout actions = new HorizontalLayout(export, delete);
                actions.setSpacing(false);
                actions.getStyle().set("gap", "var(--lumo-space-s)");
                return actions;
              })
          .setHeader("")
          .setAutoWidth(true)
          .setFlexGrow(0)
          .setFrozenToEnd(true);
    }
    grid.setItems(q -> images.page(null, q.getOffset(), q.getLimit()).stream());
    add(grid);
  }
}
