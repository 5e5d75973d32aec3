package io.holdfast.images.ui;

import com.vaadin.flow.component.button.Button;
import com.vaadin.flow.component.button.ButtonVariant;
import com.vaadin.flow.component.dialog.Dialog;
import com.vaadin.flow.component.html.Paragraph;
import com.vaadin.flow.component.textfield.TextArea;
import io.holdfast.images.ImageView;
import io.holdfast.jobs.JobService;
import io.holdfast.ui.Format;
import io.holdfast.ui.Notifications;
import io.holdfast.ui.Origins;

/**
 * Asks an admin why an image goes before deleting it: the deletion cannot be undone, so the dialog
 * says what goes and the reason is kept in the audit trail.
 */
final class DeleteImageDialog extends Dialog {

  DeleteImageDialog(ImageView image, JobService jobs, Runnable deleted) {
    super("Delete image " + image.manifestId());
    setId("delete-image-dialog");
    Paragraph what =
        new Paragraph(
            "The backup of "
                + image.machine()
                + " made "
                + Format.time(image.created())
                + " ("
                + Format.bytes(image.usedBytes())
                + " used) is deleted for good; it cannot be restored afterwards. The worker of "
                + image.machine()
                + " deletes it from the repository (while that machine is offline or retired,"
                + " another machine's worker that reaches the repository does), and the"
                + " repository's next maintenance frees the chunks no other image uses.");
    TextArea reason = new TextArea("Reason, for the audit trail");
    reason.setId("delete-reason");
    reason.setWidthFull();
    reason.setMaxLength(500);
    reason.setPlaceholder("e.g. holds customer data that had to be erased (ticket 4711)");
    add(what, reason);
    Button delete =
        new Button(
            "Delete image",
            e ->
                Notifications.attempt(
                    () -> {
                      long job =
                          jobs.enqueueImageDelete(
                              image.id(), reason.getValue(), Origins.user(), Origins.current());
                      Notifications.success(
                          "Image "
                              + image.manifestId()
                              + " is deleted by job "
                              + job
                              + " when a worker runs it");
                      close();
                      deleted.run();
                    }));
    delete.setId("confirm-delete-image");
    delete.addThemeVariants(ButtonVariant.LUMO_PRIMARY, ButtonVariant.LUMO_ERROR);
    getFooter().add(new Button("Cancel", e -> close()), delete);
    setWidth("36rem");
  }
}
