package io.holdfast.audit.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.formlayout.FormLayout;
import com.vaadin.flow.component.html.Div;
import com.vaadin.flow.component.html.H4;
import com.vaadin.flow.component.html.NativeTable;
import com.vaadin.flow.component.html.NativeTableBody;
import com.vaadin.flow.component.html.NativeTableCell;
import com.vaadin.flow.component.html.NativeTableHeader;
import com.vaadin.flow.component.html.NativeTableHeaderCell;
import com.vaadin.flow.component.html.NativeTableRow;
import com.vaadin.flow.component.html.Span;
import com.vaadin.flow.component.textfield.TextArea;
import io.holdfast.audit.AuditEventView;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashSet;
import java.util.Set;

/** One audit event in full: who, when, from where, what, and before/after where it applies. */
final class AuditEventDialog {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS z").withZone(ZoneId.systemDefault());
  private static final ObjectMapper JSON = new ObjectMapper();

  private AuditEventDialog() {}

  static void open(AuditEventView e) {
    Dialog dialog = new Dialog("Audit event " + e.id());
    dialog.setId("audit-event-dialog");
    dialog.setWidth("720px");
    FormLayout fields = new FormLayout();
    fields.setResponsiveSteps(new FormLayout.ResponsiveStep("0", 2));
    fields.addFormItem(new Span(TIME.format(e.occurredAt())), "When");
    fields.addFormItem(new Span(e.actor()), "Who");
    fields.addFormItem(new Span(e.action()), "Action");
    fields.addFormItem(new Span(e.outcome().name().toLowerCase()), "Outcome");
    fields.addFormItem(
        new Span(e.objectType() == null ? "—" : e.objectType() + " " + e.objectId()), "Object");
    fields.addFormItem(new Span(e.sourceIp() == null ? "—" : e.sourceIp()), "From address");
    fields.addFormItem(new Span(e.userAgent() == null ? "—" : e.userAgent()), "User agent");
    Span hash = new Span(e.hash());
    hash.getStyle().set("font-family", "monospace").set("font-size", "var(--lumo-font-size-xs)");
    fields.addFormItem(hash, "Chain hash");
    dialog.add(fields);
    JsonNode change = change(e.details());
    if (change != null) {
      dialog.add(new H4("Before and after"), changeTable(change));
    } else if (e.details() != null && !e.details().isBlank()) {
      TextArea details = new TextArea("Details");
      details.setValue(e.details());
      details.setReadOnly(true);
      details.setWidthFull();
      dialog.add(details);
    }
    dialog.getFooter().add(new Button("Close", x -> dialog.close()));
    dialog.open();
  }

  /** The details when they are a JSON object with "before" and/or "after", else null. */
  private static JsonNode change(String details) {
    if (details == null || !details.startsWith("{")) {
      return null;
    }
    try {
      JsonNode node = JSON.readTree(details);
      return node.has("before") || node.has("after") ? node : null;
    } catch (java.io.IOException notJson) {
      return null;
    }
  }

  private static Div changeTable(JsonNode change) {
    JsonNode before = change.path("before");
    JsonNode after = change.path("after");
    Set<String> names = new LinkedHashSet<>();
    before.fieldNames().forEachRemaining(names::add);
    after.fieldNames().forEachRemaining(names::add);
    NativeTable table = new NativeTable();
    table.setId("audit-change");
    NativeTableHeader head = new NativeTableHeader();
    head.addRows(
        new NativeTableRow(
            new NativeTableHeaderCell("Field"),
            new NativeTableHeaderCell("Before"),
            new NativeTableHeaderCell("After")));
    NativeTableBody body = new NativeTableBody();
    for (String name : names) {
      body.addRows(
          new NativeTableRow(
              new NativeTableCell(name),
              new NativeTableCell(text(before.get(name))),
              new NativeTableCell(text(after.get(name)))));
    }
    table.add(head, body);
    Div wrapper = new Div(table);
    wrapper.addClassName("holdfast-audit-change");
    return wrapper;
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() ? "—" : n.isTextual() ? n.asText() : n.toString();
  }
}
