package io.holdfast.audit.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.grid.Grid;
import com.vaadin.flow.component.grid.GridVariant;
import com.vaadin.flow.component.html.Anchor;
import com.vaadin.flow.component.html.H2;
import com.vaadin.flow.component.icon.VaadinIcon;
import com.vaadin.flow.component.orderedlayout.HorizontalLayout;
import com.vaadin.flow.component.orderedlayout.VerticalLayout;
import com.vaadin.flow.component.textfield.TextField;
import com.vaadin.flow.data.provider.CallbackDataProvider;
import com.vaadin.flow.data.provider.ConfigurableFilterDataProvider;
import com.vaadin.flow.data.value.ValueChangeMode;
import com.vaadin.flow.router.PageTitle;
import com.vaadin.flow.router.Route;
import com.vaadin.flow.server.streams.DownloadHandler;
import io.holdfast.audit.AuditEventView;
import io.holdfast.audit.AuditFilter;
import io.holdfast.audit.AuditService;
import io.holdfast.audit.ChainReport;
import io.holdfast.platform.Role;
import io.holdfast.ui.MainLayout;
import io.holdfast.ui.Notifications;
import io.holdfast.ui.Origins;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/** The audit trail, newest first, loaded page by page. */
@Route(value = "audit", layout = MainLayout.class)
@PageTitle("Audit · Holdfast")
@RolesAllowed({Role.Names.ADMIN, Role.Names.AUDITOR})
public class AuditView extends VerticalLayout {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  @Inject
  public AuditView(AuditService audit) {
    setId("audit-view");
    setSizeFull();
    TextField actor = new TextField();
    actor.setPlaceholder("Filter by user");
    TextField action = new TextField();
    action.setPlaceholder("Filter by action");
    Grid<AuditEventView> grid = new Grid<>(AuditEventView.class, false);
    grid.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_ROW_STRIPES);
    grid.addColumn(e -> TIME.format(e.occurredAt())).setHeader("When").setAutoWidth(true);
    grid.addColumn(AuditEventView::actor).setHeader("Who").setAutoWidth(true);
    grid.addColumn(AuditEventView::action).setHeader("Action").setAutoWidth(true);
    grid.addColumn(e -> e.objectType() == null ? "" : e.objectType() + " " + e.objectId())
        .setHeader("Object");
    grid.addColumn(e -> e.outcome().name().toLowerCase()).setHeader("Outcome");
    grid.addColumn(AuditEventView::sourceIp).setHeader("From");
    grid.addColumn(AuditEventView::details).setHeader("Details").setFlexGrow(2);
    ConfigurableFilterDataProvider<AuditEventView, Void, AuditFilter> data =
        new CallbackDataProvider<AuditEventView, AuditFilter>(
                q ->
                    audit
                        .page(q.getFilter().orElse(AuditFilter.ALL), q.getOffset(), q.getLimit())
                        .stream(),
                q -> (int) audit.count(q.getFilter().orElse(AuditFilter.ALL)))
            .withConfigurableFilter();
    grid.setItems(data);
    for (TextField f : new TextField[] {actor, action}) {
      f.setValueChangeMode(ValueChangeMode.LAZY);
      f.setClearButtonVisible(true);
      f.addValueChangeListener(
          e -> data.setFilter(new AuditFilter(actor.getValue(), action.getValue())));
    }
    Button verify =
        new Button(
            "Verify audit chain",
            VaadinIcon.SHIELD.create(),
            e -> {
              ChainReport r = audit.verifyChain();
              if (r.intact()) {
                Notifications.success(
                    "The audit chain is intact: " + r.eventsChecked() + " events checked.");
              } else {
                Notifications.error("The audit chain is broken: " + r.problem() + ".");
              }
            });
    verify.setId("verify-chain");
    Anchor csv = exportLink(audit, "csv", actor, action);
    Anchor json = exportLink(audit, "json", actor, action);
    add(new H2("Audit trail"), new HorizontalLayout(actor, action, verify, csv, json), grid);
  }

  /** A download of the filtered trail; the export is audited as it happens. */
  private static Anchor exportLink(
      AuditService audit, String format, TextField actor, TextField action) {
    Anchor a =
        new Anchor(
            (DownloadHandler)
                event -> {
                  var r = event.getRequest();
                  String user =
                      r.getUserPrincipal() == null ? "unknown" : r.getUserPrincipal().getName();
                  AuditService.Export e =
                      audit.export(
                          new AuditFilter(
                              blankToNull(actor.getValue()), blankToNull(action.getValue())),
                          format,
                          user,
                          Origins.of(r));
                  event.setFileName(e.filename());
                  event.setContentType(e.mediaType());
                  event.getOutputStream().write(e.body());
                },
            "Export " + format.toUpperCase());
    a.setId("export-" + format);
    a.getElement().setAttribute("download", true);
    return a;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
