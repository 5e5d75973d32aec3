package io.holdfast.restores.ui;

import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.holdfast.ui.EmptyState;
import io.holdfast.ui.MainLayout;
import jakarta.annotation.security.PermitAll;

@Route(value = "restores", layout = MainLayout.class)
@PageTitle("Restores · Holdfast")
@PermitAll
public class RestoresView extends VerticalLayout {

  public RestoresView() {
    setId("restores-view");
    add(new H2("Restores"));
    add(
        new EmptyState(
            VaadinIcon.ROTATE_LEFT,
            "No restore requests yet",
            "Restores are requested here and run once a second person has approved them."));
  }
}
