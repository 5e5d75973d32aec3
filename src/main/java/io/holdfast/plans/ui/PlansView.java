package io.holdfast.plans.ui;

import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.holdfast.ui.EmptyState;
import io.holdfast.ui.MainLayout;
import jakarta.annotation.security.PermitAll;

@Route(value = "plans", layout = MainLayout.class)
@PageTitle("Plans · Holdfast")
@PermitAll
public class PlansView extends VerticalLayout {

  public PlansView() {
    setId("plans-view");
    add(new H2("Plans"));
    add(
        new EmptyState(
            VaadinIcon.CALENDAR_CLOCK,
            "No backup plans yet",
            "A plan says what to back up, where, how often and how long to keep it."));
  }
}
