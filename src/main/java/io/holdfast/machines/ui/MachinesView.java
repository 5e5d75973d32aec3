package io.holdfast.machines.ui;

import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.provider.CallbackDataProvider;
import com.vaadin.flow.data.provider.ConfigurableFilterDataProvider;
import com.vaadin.flow.data.renderer.ComponentRenderer;
import com.vaadin.flow.data.value.ValueChangeMode;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import io.holdfast.machines.MachineOverview;
import io.holdfast.machines.MachineService;
import io.holdfast.ui.EmptyState;
import io.holdfast.ui.Format;
import io.holdfast.ui.MainLayout;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;

@Route(value = "machines", layout = MainLayout.class)
@PageTitle("Machines · Holdfast")
@PermitAll
public class MachinesView extends VerticalLayout {

  @Inject
  public MachinesView(MachineService machines) {
    setId("machines-view");
    setSizeFull();
    add(new H2("Machines"));
    if (machines.count(null) == 0) {
      add(
          new EmptyState(
              VaadinIcon.DESKTOP,
              "No machines yet — enrol a worker",
              "Machines appear here when a worker on them enrols with the console. Admins create enrolment tokens under Settings → Workers."));
      return;
    }
    TextField search = new TextField();
    search.setPlaceholder("Search name or OS");
    search.setClearButtonVisible(true);
    search.setValueChangeMode(ValueChangeMode.LAZY);
    Grid<MachineOverview> grid = new Grid<>(MachineOverview.class, false);
    grid.setId("machines-grid");
    grid.addColumn(MachineOverview::name).setHeader("Name").setAutoWidth(true);
    grid.addColumn(MachineOverview::os).setHeader("OS").setFlexGrow(2);
    grid.addColumn(new ComponentRenderer<>(m -> stateBadge(m.online(), m.retired())))
        .setHeader("State")
        .setAutoWidth(true);
    grid.addColumn(m -> Format.time(m.lastBackup())).setHeader("Last backup").setAutoWidth(true);
    grid.addColumn(m -> m.lastResult() == null ? "—" : m.lastResult())
        .setHeader("Last result")
        .setAutoWidth(true);
    grid.addColumn(m -> m.protectedBytes() == 0 ? "—" : Format.bytes(m.protectedBytes()))
        .setHeader("Protected")
        .setAutoWidth(true);
    ConfigurableFilterDataProvider<MachineOverview, Void, String> data =
        new CallbackDataProvider<MachineOverview, String>(
                q ->
                    machines.page(q.getFilter().orElse(null), q.getOffset(), q.getLimit()).stream(),
                q -> (int) machines.count(q.getFilter().orElse(null)),
                MachineOverview::id)
            .withConfigurableFilter();
    grid.setItems(data);
    search.addValueChangeListener(e -> data.setFilter(e.getValue()));
    grid.addItemClickListener(
        e -> getUI().ifPresent(ui -> ui.navigate(MachineDetailView.class, e.getItem().id())));
    add(search, grid);
  }

  /** "online", "offline" or, for a machine taken out of service, "retired". */
  static Span stateBadge(boolean online, boolean retired) {
    Span s = new Span(retired ? "retired" : online ? "online" : "offline");
    s.getElement()
        .getThemeList()
        .add(retired ? "badge error" : online ? "badge success" : "badge contrast");
    return s;
  }
}
