package io.holdfast.machines.ui;

import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.holdfast.ui.EmptyState;
import io.holdfast.ui.MainLayout;
import jakarta.annotation.security.PermitAll;

@Route(value = "machines", layout = MainLayout.class)
@PageTitle("Machines · Holdfast")
@PermitAll
public class MachinesView extends VerticalLayout {

  public MachinesView() {
    setId("machines-view");
    add(new H2("Machines"));
    add(
        new EmptyState(
            VaadinIcon.DESKTOP,
            "No machines yet — enrol a worker",
            "Machines appear here when a worker on them enrols with the console. Admins create enrolment tokens under Settings."));
  }
}
