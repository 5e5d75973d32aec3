package io.holdfast.audit.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.datetimepicker.DateTimePicker;
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

  private final TextField actor = filterField("Filter by user", "audit-filter-user");
  private final TextField action = filterField("Filter by action", "audit-filter-action");
  private final TextField object = filterField("Filter by object", "audit-filter-object");
  private final DateTimePicker from = new DateTimePicker();
  private final DateTimePicker to = new DateTimePicker();

  @Inject
  public AuditView(AuditService audit) {
    setId("audit-view");
    setSizeFull();
    Grid<AuditEventView> grid = new Grid<>(AuditEventView.class, false);
    grid.setId("audit-grid");
    grid.addThemeVariants(GridVariant.LUMO_COMPACT, GridVariant.LUMO_ROW_STRIPES);
    grid.addColumn(e -> TIME.format(e.occurredAt())).setHeader("When").setAutoWidth(true);
    grid.addColumn(AuditEventView::actor).setHeader("Who").setAutoWidth(true);
    grid.addColumn(AuditEventView::action).setHeader("Action").setAutoWidth(true);
    grid.addColumn(e -> e.objectType() == null ? "" : e.objectType() + " " + e.objectId())
        .setHeader("Object");
    grid.addColumn(e -> e.outcome().name().toLowerCase()).setHeader("Outcome");
    grid.addColumn(AuditEventView::sourceIp).setHeader("From");
    grid.addColumn(AuditEventView::details).setHeader("Details").setFlexGrow(2);
    grid.addItemClickListener(e -> AuditEventDialog.open(e.getItem()));
    ConfigurableFilterDataProvider<AuditEventView, Void, AuditFilter> data =
        new CallbackDataProvider<AuditEventView, AuditFilter>(
                q ->
                    audit
                        .page(q.getFilter().orElse(AuditFilter.ALL), q.getOffset(), q.getLimit())
                        .stream(),
                q -> (int) audit.count(q.getFilter().orElse(AuditFilter.ALL)))
            .withConfigurableFilter();
    grid.setItems(data);
    for (TextField f : new TextField[] {actor, action, object}) {
      f.addValueChangeListener(e -> data.setFilter(filter()));
    }
    from.setId("audit-filter-from");
    from.setDatePlaceholder("From");
    to.setId("audit-filter-to");
    to.setDatePlaceholder("Until");
    for (DateTimePicker p : new DateTimePicker[] {from, to}) {
      p.addValueChangeListener(e -> data.setFilter(filter()));
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
    HorizontalLayout filters = new HorizontalLayout(actor, action, object, from, to);
    filters.setWrap(true);
    add(
        new H2("Audit trail"),
        filters,
        new HorizontalLayout(verify, exportLink(audit, "csv"), exportLink(audit, "json")),
        grid);
  }

  private AuditFilter filter() {
    ZoneId zone = ZoneId.systemDefault();
    return new AuditFilter(
        blankToNull(actor.getValue()),
        blankToNull(action.getValue()),
        blankToNull(object.getValue()),
        from.getValue() == null ? null : from.getValue().atZone(zone).toInstant(),
        to.getValue() == null ? null : to.getValue().atZone(zone).toInstant());
  }

  private static TextField filterField(String placeholder, String id) {
    TextField f = new TextField();
    f.setId(id);
    f.setPlaceholder(placeholder);
    f.setValueChangeMode(ValueChangeMode.LAZY);
    f.setClearButtonVisible(true);
    return f;
  }

  /** A download of the filtered trail; the export is audited as it happens. */
  private Anchor exportLink(AuditService audit, String format) {
    Anchor a =
        new Anchor(
            (DownloadHandler)
                event -> {
                  var r = event.getRequest();
                  String user =
                      r.getUserPrincipal() == null ? "unknown" : r.getUserPrincipal().getName();
                  AuditService.Export e = audit.export(filter(), format, user, Origins.of(r));
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
