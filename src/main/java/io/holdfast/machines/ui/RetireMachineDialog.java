package io.holdfast.machines.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.textfield.TextArea;
import io.holdfast.machines.MachineDetail;
import io.holdfast.machines.MachineService;
import io.holdfast.ui.Notifications;
import io.holdfast.ui.Origins;

/**
 * Asks an admin why a machine is taken out of service before retiring it, and says what that does:
 * the reason goes into the audit trail.
 */
final class RetireMachineDialog extends Dialog {

  RetireMachineDialog(MachineDetail machine, MachineService machines, Runnable retired) {
    super("Retire " + machine.name());
    Paragraph what =
        new Paragraph(
            "For a machine that is out of service for good (scrapped, replaced, sold). Its"
                + " worker's credential is revoked, it leaves the plans that back it up, and its"
                + " queued and running jobs are cancelled. Its images stay: they can still be"
                + " restored onto another machine, and are verified and deleted by another"
                + " machine's worker that reaches their repository. Enrolling a worker for it"
                + " again brings it back into service.");
    TextArea reason = new TextArea("Reason, for the audit trail");
    reason.setId("retire-reason");
    reason.setWidthFull();
    reason.setMaxLength(MachineService.REASON_MAX);
    reason.setPlaceholder("e.g. mainboard failed; replaced by laptop-0815 (ticket 4712)");
    add(what, reason);
    Button retire =
        new Button(
            "Retire machine",
            e ->
                Notifications.attempt(
                    () -> {
                      machines.retire(
                          machine.id(), reason.getValue(), Origins.user(), Origins.current());
                      Notifications.success(machine.name() + " is retired");
                      close();
                      retired.run();
                    }));
    retire.setId("confirm-retire");
    retire.addThemeVariants(ButtonVariant.LUMO_PRIMARY, ButtonVariant.LUMO_ERROR);
    getFooter().add(new Button("Cancel", e -> close()), retire);
    setWidth("36rem");
  }
}
