package io.holdfast.images.ui;

import io.holdfast.images.ImageView;
import io.holdfast.jobs.JobService;
import io.holdfast.ui.Format;
import io.holdfast.ui.Notifications;
import io.holdfast.ui.Origins;
import io.holdfast.ui.ReasonDialog;

/**
 * Asks an admin why an image goes before deleting it: the deletion cannot be undone, so the dialog
 * says what goes and the reason is kept in the audit trail.
 */
final class DeleteImageDialog {

  private DeleteImageDialog() {}

  static ReasonDialog of(ImageView image, JobService jobs, Runnable deleted) {
    return new ReasonDialog(
        "Delete image " + image.manifestId(),
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
            + " repository's next maintenance frees the chunks no other image uses.",
        "e.g. holds customer data that had to be erased (ticket 4711)",
        "Delete image",
        "delete-image",
        reason -> {
          long job = jobs.enqueueImageDelete(image.id(), reason, Origins.user(), Origins.current());
          Notifications.success(
              "Image "
                  + image.manifestId()
                  + " is deleted by job "
                  + job
                  + " when a worker runs it");
          deleted.run();
        });
  }
}
