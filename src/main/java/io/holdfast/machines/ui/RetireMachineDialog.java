package io.holdfast.machines.ui;

import io.holdfast.jobs.JobService;
import io.holdfast.machines.MachineDetail;
import io.holdfast.machines.MachineService;
import io.holdfast.ui.Notifications;
import io.holdfast.ui.Origins;
import io.holdfast.ui.ReasonDialog;
import java.util.List;

/**
 * The two things an admin does to a machine out of service, each asked why first: retire it, and
 * later delete all its images. Each reason goes into the audit trail.
 */
final class RetireMachineDialog {

  private RetireMachineDialog() {}

  static ReasonDialog retire(MachineDetail machine, MachineService machines, Runnable done) {
    return new ReasonDialog(
        "Retire " + machine.name(),
        "For a machine that is out of service for good (scrapped, replaced, sold). Its worker's"
            + " credential is revoked, it leaves the plans that back it up, and its queued and"
            + " running jobs are cancelled. Its images stay: they can still be restored onto"
            + " another machine, and are verified and deleted by another machine's worker that"
            + " reaches their repository. Enrolling a worker for it again brings it back into"
            + " service.",
        "e.g. mainboard failed; replaced by laptop-0815 (ticket 4712)",
        "Retire machine",
        "retire",
        reason -> {
          machines.retire(machine.id(), reason, Origins.user(), Origins.current());
          Notifications.success(machine.name() + " is retired");
          done.run();
        });
  }

  static ReasonDialog deleteImages(MachineDetail machine, long images, JobService jobs) {
    return new ReasonDialog(
        "Delete all images of " + machine.name(),
        "All "
            + images
            + " image(s) of "
            + machine.name()
            + " are deleted for good; none of them can be restored afterwards. A worker that"
            + " reaches each repository deletes them, and the repository's next maintenance frees"
            + " the chunks no other image uses.",
        "e.g. kept 90 days after the machine was scrapped, as the policy says",
        "Delete all images",
        "delete-machine-images",
        reason -> {
          List<Long> ids =
              jobs.enqueueMachineImagesDelete(
                  machine.id(), reason, Origins.user(), Origins.current());
          Notifications.success(
              "The images of " + machine.name() + " are deleted by job(s) " + ids);
        });
  }
}
