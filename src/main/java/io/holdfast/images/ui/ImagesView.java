package io.holdfast.images.ui;

import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.holdfast.ui.EmptyState;
import io.holdfast.ui.MainLayout;
import jakarta.annotation.security.PermitAll;

@Route(value = "images", layout = MainLayout.class)
@PageTitle("Images · Holdfast")
@PermitAll
public class ImagesView extends VerticalLayout {

  public ImagesView() {
    setId("images-view");
    add(new H2("Images"));
    add(
        new EmptyState(
            VaadinIcon.ARCHIVE,
            "No images yet",
            "Every backup of a machine becomes an image version listed here, with its size, layout and when it was last verified."));
  }
}
