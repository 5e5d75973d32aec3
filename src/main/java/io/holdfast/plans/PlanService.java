package io.holdfast.plans;

import io.holdfast.audit.AuditEntry;
import io.holdfast.audit.AuditOutcome;
import io.holdfast.audit.AuditService;
import io.holdfast.engine.ops.Retention;
import io.holdfast.images.ImageService;
import io.holdfast.jobs.JobEnded;
import io.holdfast.jobs.JobService;
import io.holdfast.jobs.JobState;
import io.holdfast.jobs.JobView;
import io.holdfast.machines.DiskView;
import io.holdfast.machines.MachineDetail;
import io.holdfast.machines.MachineRetired;
import io.holdfast.machines.MachineService;
import io.holdfast.platform.RequestOrigin;
import io.holdfast.repositories.RepositoryInfo;
import io.holdfast.repositories.RepositoryService;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.NotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Backup plans: what to back up, where and when. A plan that falls due queues one backup job that
 * names it; a due time that finds the plan's previous backup still running is passed over, so
 * backups never pile up behind a slow one. A scheduled backup that fails is queued again after the
 * plan's wait, up to its number of retries. Every change and every run is an audit event.
 */
@ApplicationScoped
public class PlanService {

  private static final Logger LOG = Logger.getLogger(PlanService.class);
  private static final int NAME_MAX = 100;
  private static final int KEEP_MAX = 10_000;
  private static final int RETRIES_MAX = 10;
  private static final int MACHINES_MAX = 1000;
  private static final int RETRY_WAIT_MAX = 1440;

  @Inject EntityManager em;
  @Inject Clock clock;
  @Inject AuditService audit;
  @Inject JobService jobs;
  @Inject ImageService images;
  @Inject MachineService machines;
  @Inject RepositoryService repositories;
  @Inject PlansConfig config;
  @Inject Event<PlanBackupFailed> gaveUp;

  // ---------------------------------------------------------------- people

  @Transactional
  public List<PlanView> all() {
    return em.createQuery("from Plan p order by lower(p.name), p.id", Plan.class)
        .getResultStream()
        .map(this::view)
        .toList();
  }

  @Transactional
  public PlanView get(long id) {
    return view(find(id));
  }

  @Transactional
  public PlanView create(PlanSpec spec, String user, RequestOrigin origin) {
    Plan p = new Plan();
    apply(p, spec, null);
    Instant now = clock.instant();
    p.createdBy = user;
    p.createdAt = now;
    p.updatedAt = now;
    em.persist(p);
    em.flush();
    audit.record(
        new AuditEntry(
            user, "plan.create", "plan", p.name, AuditOutcome.SUCCESS, origin, describe(p)));
    return view(p);
  }

  @Transactional
  public PlanView update(long id, PlanSpec spec, String user, RequestOrigin origin) {
    Plan p = find(id);
    String before = describe(p);
    String schedule = p.schedule;
    String zone = p.timeZone;
    boolean wasEnabled = p.enabled;
    apply(p, spec, id);
    if (!Objects.equals(p.schedule, schedule)
        || !p.timeZone.equals(zone)
        || (p.enabled && !wasEnabled)) {
      // a new schedule, or a plan switched back on, starts from now: due times before do not
      // count, so re-enabling at 03:00 does not start the 02:00 backup it was off for
      p.lastDueAt = clock.instant();
    }
    p.updatedAt = clock.instant();
    audit.record(
        new AuditEntry(
            user,
            "plan.update",
            "plan",
            p.name,
            AuditOutcome.SUCCESS,
            origin,
            "was: " + before + "; now: " + describe(p)));
    return view(p);
  }

  /**
   * A retired machine leaves every plan that backed it up, so none queues work for it; a plan left
   * with no machine backs up nothing until it is edited.
   */
  void onMachineRetired(@Observes MachineRetired retired) {
    List<Plan> plans =
        em.createQuery("from Plan p where :m member of p.machineIds", Plan.class)
            .setParameter("m", retired.machineId())
            .getResultList();
    for (Plan p : plans) {
      String before = describe(p);
      p.machineIds.remove(retired.machineId());
      p.updatedAt = clock.instant();
      audit.record(
          new AuditEntry(
              retired.user(),
              "plan.update",
              "plan",
              p.name,
              AuditOutcome.SUCCESS,
              RequestOrigin.SYSTEM,
              retired.name() + " retired; was: " + before + "; now: " + describe(p)));
    }
  }

  /** Deletes the plan; its jobs and images stay (the jobs no longer name it). */
  @Transactional
  public void delete(long id, String user, RequestOrigin origin) {
    Plan p = find(id);
    em.remove(p);
    audit.record(
        new AuditEntry(
            user, "plan.delete", "plan", p.name, AuditOutcome.SUCCESS, origin, describe(p)));
  }

  /**
   * Queues the plan's backups now, one per machine, for a person; returns the jobs' ids. A machine
   * whose backup of the plan is still queued or running, or that reports no disks, is left out;
   * when that leaves none, the error says why for each.
   */
  @Transactional
  public List<Long> runNow(long id, String user, RequestOrigin origin) {
    Plan p = find(id);
    if (p.machineIds.isEmpty()) {
      throw new IllegalStateException(
          "Plan " + p.name + " backs up no machine any more; edit it and choose some.");
    }
    List<Long> queued = new ArrayList<>();
    List<String> why = new ArrayList<>();
    for (long m : machinesOf(p)) {
      Optional<String> busy =
          jobs.lastOfPlan(p.id, m)
              .filter(j -> !j.state().finished())
              .map(
                  j ->
                      machines.nameOf(m)
                          + ": the plan's backup job "
                          + j.id()
                          + " is still "
                          + stateName(j));
      Optional<String> blocked = busy.isPresent() ? busy : disksMissing(p, m);
      if (blocked.isPresent()) {
        why.add(blocked.get());
        continue;
      }
      queued.add(
          jobs.enqueuePlanBackup(
              m,
              p.diskName,
              new JobService.PlanBackup(p.id, p.repositoryId, p.compression, null, null),
              user,
              "plan " + p.name,
              origin));
    }
    if (queued.isEmpty()) {
      throw new IllegalStateException(String.join("; ", why) + ".");
    }
    return queued;
  }

  // ---------------------------------------------------------------- the schedule

  /**
   * Queues a backup for each enabled plan that fell due since it last ran, at most once per due
   * time, even with several console replicas (each locks the plan's row first). A due time older
   * than the catch-up window is passed over. Returns how many backups were queued.
   */
  public int queueDue(Instant now) {
    List<Long> ids =
        QuarkusTransaction.requiringNew()
            .call(
                () ->
                    em.createQuery("select p.id from Plan p where p.enabled", Long.class)
                        .getResultList());
    int queued = 0;
    for (long id : ids) {
      try {
        if (QuarkusTransaction.requiringNew().call(() -> queueIfDue(id, now))) {
          queued++;
        }
      } catch (RuntimeException e) {
        // the job could not be queued: say so once, and wait for the next due time
        LOG.warnf(e, "Backup plan %d could not queue its backup", id);
        QuarkusTransaction.requiringNew().run(() -> passOver(id, now, e.getMessage()));
      }
      try {
        queued += QuarkusTransaction.requiringNew().call(() -> queueWhenOnline(id, now));
      } catch (RuntimeException e) {
        // tried again at the next check; a lasting cause shows in the log each time
        LOG.warnf(e, "Backup plan %d could not queue its backup of an online machine", id);
      }
    }
    return queued;
  }

  /**
   * A plan's backups "when online": each of its machines that is online now and whose newest backup
   * job of the plan was queued more than the plan's hours ago, or that has none, gets one. A laptop
   * that was off at the scheduled time so gets its backup soon after it is next on, and the newest
   * job counts whatever its outcome, so a machine whose backups keep failing (after the plan's
   * retries) is tried again only after those hours, not at every check. Returns how many.
   */
  private int queueWhenOnline(long id, Instant now) {
    Plan p = em.find(Plan.class, id, LockModeType.PESSIMISTIC_WRITE);
    if (p == null || !p.enabled || p.onlineEveryHours == null) {
      return 0;
    }
    Instant since = now.minus(Duration.ofHours(p.onlineEveryHours));
    int queued = 0;
    for (long m : machinesOf(p)) {
      Optional<MachineDetail> machine = machines.detail(m);
      if (machine.isEmpty() || !machine.get().online()) {
        continue;
      }
      Optional<JobView> last = jobs.lastOfPlan(p.id, m);
      if (last.isPresent()
          && (!last.get().state().finished() || last.get().createdAt().isAfter(since))) {
        continue;
      }
      if (disksMissing(p, m).isPresent()) {
        continue; // its inventory comes with its worker's next contact; a lasting gap is on the
        // plan
      }
      String why =
          machine.get().name()
              + " is online and "
              + last.map(
                      j ->
                          "its newest backup of this plan (job "
                              + j.id()
                              + ") was queued more than "
                              + p.onlineEveryHours
                              + " h ago")
                  .orElse("has no backup of this plan yet");
      long job =
          jobs.enqueuePlanBackup(
              m,
              p.diskName,
              new JobService.PlanBackup(p.id, p.repositoryId, p.compression, 1, null),
              "system",
              "plan " + p.name + ": " + why,
              RequestOrigin.SYSTEM);
      LOG.infof("Backup plan %s queued job %d: %s", p.name, job, why);
      queued++;
    }
    return queued;
  }

  private boolean queueIfDue(long id, Instant now) {
    Plan p = em.find(Plan.class, id, LockModeType.PESSIMISTIC_WRITE);
    if (p == null || !p.enabled) {
      return false;
    }
    Optional<Instant> due = dueTime(p, now);
    if (due.isEmpty()) {
      return false;
    }
    p.lastDueAt = due.get();
    if (now.isAfter(due.get().plus(config.catchUp()))) {
      record(
          p,
          AuditOutcome.FAILURE,
          "missed the backup due at "
              + due.get()
              + ": the console"
              + " was not running then, and it is past the catch-up window of "
              + config.catchUp());
      return false;
    }
    boolean any = false;
    for (long m : machinesOf(p)) {
      String name = machines.nameOf(m);
      Optional<JobView> last = jobs.lastOfPlan(p.id, m);
      if (last.isPresent() && !last.get().state().finished()) {
        record(
            p,
            AuditOutcome.FAILURE,
            "passed over the backup of "
                + name
                + " due at "
                + due.get()
                + ": its backup job "
                + last.get().id()
                + " is still "
                + stateName(last.get()));
        continue;
      }
      Optional<String> missing = disksMissing(p, m);
      if (missing.isPresent()) {
        record(
            p,
            AuditOutcome.FAILURE,
            "could not queue the backup of "
                + name
                + " due at "
                + due.get()
                + ": "
                + missing.get());
        continue;
      }
      long job =
          jobs.enqueuePlanBackup(
              m,
              p.diskName,
              new JobService.PlanBackup(p.id, p.repositoryId, p.compression, 1, null),
              "system",
              "plan " + p.name,
              RequestOrigin.SYSTEM);
      LOG.infof("Backup plan %s queued job %d of %s (due at %s)", p.name, job, name, due.get());
      any = true;
    }
    return any;
  }

  /**
   * After a scheduled backup (or a retry of one) failed: queues it again after the plan's wait
   * while the plan has retries left and is still enabled, and records either way in the audit log.
   * A backup a person started is not retried; neither is a cancelled one.
   */
  private void retryAfterFailure(long jobId) {
    Optional<JobService.PlanRun> run = jobs.planRunOf(jobId);
    if (run.isEmpty() || run.get().attempt() == null) {
      return;
    }
    Plan p = em.find(Plan.class, run.get().planId(), LockModeType.PESSIMISTIC_WRITE);
    if (p == null) {
      return;
    }
    int attempt = run.get().attempt();
    long machine = run.get().machineId();
    String failed =
        "backup job "
            + jobId
            + " failed"
            + (run.get().error() == null ? "" : " (" + run.get().error() + ")");
    if (!p.enabled) {
      giveUp(p, jobId, failed, "not retried: the plan is disabled");
      return;
    }
    if (!p.machineIds.contains(machine)) {
      giveUp(
          p,
          jobId,
          failed,
          "not retried: " + machines.nameOf(machine) + " left the plan meanwhile");
      return;
    }
    if (attempt > p.retries) {
      giveUp(
          p,
          jobId,
          failed,
          (p.retries == 0
                  ? "the plan retries no failed backup"
                  : "that was its last retry (" + p.retries + ")")
              + schedule(p)
                  .next(clock.instant())
                  .map(next -> "; the next backup is due at " + next)
                  .orElse(""));
      return;
    }
    Optional<JobView> last = jobs.lastOfPlan(p.id, machine);
    if (last.isPresent() && last.get().id() != jobId && !last.get().state().finished()) {
      record(
          p,
          AuditOutcome.FAILURE,
          failed
              + "; not retried: backup job "
              + last.get().id()
              + " is already "
              + stateName(last.get()));
      return;
    }
    Instant at = clock.instant().plus(Duration.ofMinutes(p.retryWaitMinutes));
    String retry = "retry " + attempt + " of " + p.retries;
    Optional<String> missing = disksMissing(p, machine);
    if (missing.isPresent()) {
      giveUp(p, jobId, failed, retry + " not queued: " + missing.get());
      return;
    }
    long job =
        jobs.enqueuePlanBackup(
            machine,
            p.diskName,
            new JobService.PlanBackup(p.id, p.repositoryId, p.compression, attempt + 1, at),
            "system",
            "plan " + p.name + ": " + retry + " after job " + jobId + " failed",
            RequestOrigin.SYSTEM);
    record(p, AuditOutcome.FAILURE, failed + "; " + retry + " queued as job " + job + " for " + at);
    LOG.infof("Backup plan %s queued job %d, %s, for %s", p.name, job, retry, at);
  }

  private void passOver(long id, Instant now, String why) {
    Plan p = em.find(Plan.class, id, LockModeType.PESSIMISTIC_WRITE);
    if (p == null) {
      return;
    }
    Optional<Instant> due = dueTime(p, now);
    if (due.isPresent()) {
      p.lastDueAt = due.get();
      record(
          p, AuditOutcome.FAILURE, "could not queue the backup due at " + due.get() + ": " + why);
    }
  }

  /** The due time to act on now: newer than the last one handled, and not before the plan was. */
  private static Optional<Instant> dueTime(Plan p, Instant now) {
    return schedule(p)
        .lastDue(now)
        .filter(d -> p.lastDueAt == null || d.isAfter(p.lastDueAt))
        .filter(d -> !d.isBefore(p.createdAt));
  }

  /** Records that no retry follows a failed backup, and tells whoever listens. */
  private void giveUp(Plan p, long jobId, String failed, String why) {
    record(p, AuditOutcome.FAILURE, failed + "; " + why);
    gaveUp.fire(new PlanBackupFailed(jobId, p.name, why));
  }

  private void record(Plan p, AuditOutcome outcome, String details) {
    audit.record(
        new AuditEntry(
            "system", "plan.run", "plan", p.name, outcome, RequestOrigin.SYSTEM, details));
  }

  /**
   * After a plan's backup fails: retry it, if its schedule queued it. After one succeeds: verify
   * the new image when the plan asks for it, and let go of the images its retention no longer
   * keeps.
   */
  void onJobEnded(@Observes(during = TransactionPhase.AFTER_SUCCESS) JobEnded ended) {
    if (!"backup".equals(ended.type())) {
      return;
    }
    if (ended.state() == JobState.FAILED) {
      try {
        QuarkusTransaction.requiringNew().run(() -> retryAfterFailure(ended.jobId()));
      } catch (RuntimeException e) {
        LOG.warnf(e, "Could not queue the retry of failed backup job %d", ended.jobId());
        gaveUp.fire(
            new PlanBackupFailed(
                ended.jobId(), null, "the console could not queue a retry: " + e.getMessage()));
      }
      return;
    }
    if (ended.state() != JobState.SUCCEEDED) {
      return;
    }
    try {
      QuarkusTransaction.requiringNew().run(() -> verifyAfter(ended.jobId()));
    } catch (RuntimeException e) {
      LOG.warnf(e, "Could not queue the verify after backup job %d", ended.jobId());
    }
    try {
      QuarkusTransaction.requiringNew().run(() -> applyRetention(ended.jobId()));
    } catch (RuntimeException e) {
      LOG.warnf(e, "Could not apply retention after backup job %d", ended.jobId());
    }
  }

  private void verifyAfter(long jobId) {
    Optional<Long> planId = jobs.planOf(jobId);
    if (planId.isEmpty()) {
      return;
    }
    Plan p = em.find(Plan.class, planId.get());
    Long image = jobs.get(jobId).map(JobView::imageId).orElse(null);
    if (p == null || !p.verifyAfter || image == null) {
      return;
    }
    long verify =
        jobs.enqueueVerify(
            image, "system", "plan " + p.name + ": verify after backup", RequestOrigin.SYSTEM);
    LOG.infof("Backup plan %s queued verify job %d of image %d", p.name, verify, image);
  }

  /**
   * Applies the plan's retention to the machine's images in its repository (those made by hand
   * count too, as in restic and Proxmox) and queues a prune job for the rest. Never let go of: the
   * image just made, and an image a pending or approved restore or an unfinished job still needs.
   */
  private void applyRetention(long jobId) {
    Optional<Long> planId = jobs.planOf(jobId);
    if (planId.isEmpty()) {
      return;
    }
    Plan p = em.find(Plan.class, planId.get());
    JobView backup = jobs.get(jobId).orElse(null);
    Long newest = backup == null ? null : backup.imageId();
    if (p == null || keep(p).keepsAll() || newest == null) {
      return;
    }
    long machine = backup.machineId();
    List<String> go =
        letGo(p, images.candidates(machine, p.repositoryId), newest, null).stream()
            .map(ImageService.Candidate::manifestId)
            .toList();
    if (go.isEmpty()) {
      return;
    }
    long prune =
        jobs.enqueuePrune(machine, p.repositoryId, p.id, go, "plan " + p.name + ": " + keep(p));
    LOG.infof("Backup plan %s queued prune job %d for %d image(s)", p.name, prune, go.size());
  }

  /**
   * Which of a machine's images in the plan's repository ({@code candidates}) its rules let go,
   * oldest first: not {@code protect} (the image just made), not one a restore or an unfinished job
   * needs. With {@code upcoming}, as if a backup were made at that time and protected.
   */
  private List<ImageService.Candidate> letGo(
      Plan p, List<ImageService.Candidate> candidates, Long protect, Instant upcoming) {
    Map<String, ImageService.Candidate> byManifest = new HashMap<>();
    List<Retention.Item> items = new ArrayList<>();
    for (ImageService.Candidate c : candidates) {
      byManifest.put(c.manifestId(), c);
      items.add(new Retention.Item(c.manifestId(), c.created()));
    }
    if (upcoming != null) {
      items.add(new Retention.Item(UPCOMING, upcoming));
    }
    Retention rules =
        new Retention(
            p.keepLast, p.keepHourly, p.keepDaily, p.keepWeekly, p.keepMonthly, p.keepYearly);
    return rules.apply(items, schedule(p).zone()).stream()
        .filter(d -> !d.keep() && !d.item().id().equals(UPCOMING))
        .map(d -> byManifest.get(d.item().id()))
        .filter(c -> (protect == null || c.id() != protect) && !c.needed())
        .sorted(Comparator.comparing(ImageService.Candidate::created))
        .toList();
  }

  /** Stands for the next backup in a retention preview; no manifest id looks like it. */
  private static final String UPCOMING = "(next backup)";

  /**
   * What the plan's rules will let go after its next backup, for each of its machines: the images
   * as they are now plus that backup, made at the plan's next due time (now, for a disabled plan).
   * Nothing is deleted: retention runs after a backup, so a rule typed wrong can be mended first.
   */
  @Transactional
  public RetentionPreview retentionPreview(long id) {
    Plan p = find(id);
    List<RetentionPreview.Image> go = new ArrayList<>();
    int kept = 0;
    Instant next =
        p.enabled ? schedule(p).next(clock.instant()).orElse(clock.instant()) : clock.instant();
    for (long machine : machinesOf(p)) {
      List<ImageService.Candidate> all = images.candidates(machine, p.repositoryId);
      List<ImageService.Candidate> leaving =
          keep(p).keepsAll() ? List.of() : letGo(p, all, null, next);
      kept += all.size() - leaving.size();
      String name = machines.nameOf(machine);
      leaving.forEach(
          c -> go.add(new RetentionPreview.Image(c.id(), name, c.manifestId(), c.created())));
    }
    return new RetentionPreview(keep(p).toString(), kept, go);
  }

  // ---------------------------------------------------------------- helpers

  private Plan find(long id) {
    Plan p = em.find(Plan.class, id);
    if (p == null) {
      throw new NotFoundException("No backup plan " + id + ".");
    }
    return p;
  }

  /** Checks the spec and copies it onto the plan; {@code self} is the plan's id when it exists. */
  private void apply(Plan p, PlanSpec spec, Long self) {
    if (spec == null) {
      throw new IllegalArgumentException(
          "Send the plan as JSON: name, machine (or machines), schedule, and optionally disk,"
              + " repository,"
              + " timeZone, verifyAfter, enabled, keep, retries, retryWaitMinutes, compression.");
    }
    String name = spec.name() == null ? "" : spec.name().trim();
    if (name.isEmpty()) {
      throw new IllegalArgumentException("A plan needs a name, e.g. 'Nightly laptop backup'.");
    }
    if (name.length() > NAME_MAX) {
      throw new IllegalArgumentException(
          "A plan's name has at most "
              + NAME_MAX
              + " characters; this one has "
              + name.length()
              + ".");
    }
    List<Long> same =
        em.createQuery("select p.id from Plan p where lower(p.name) = lower(:n)", Long.class)
            .setParameter("n", name)
            .getResultList();
    if (same.stream().anyMatch(other -> !other.equals(self))) {
      throw new IllegalStateException(
          "A plan named '" + name + "' exists already; choose another name.");
    }
    List<Long> ids =
        spec.machines() != null && !spec.machines().isEmpty()
            ? spec.machines().stream().distinct().toList()
            : spec.machine() == null ? List.of() : List.of(spec.machine());
    if (ids.isEmpty()) {
      throw new IllegalArgumentException("Choose the machines the plan backs up.");
    }
    if (ids.size() > MACHINES_MAX) {
      throw new IllegalArgumentException(
          "A plan backs up at most "
              + MACHINES_MAX
              + " machines; this one names "
              + ids.size()
              + ". Split them over several plans.");
    }
    List<MachineDetail> chosen = new ArrayList<>();
    for (Long id : ids) {
      chosen.add(
          machines
              .detail(id)
              .orElseThrow(() -> new IllegalArgumentException("No machine " + id + ".")));
    }
    for (MachineDetail c : chosen) {
      machines.requireInService(c.id());
    }
    String disk = spec.disk() == null || spec.disk().isBlank() ? null : spec.disk().trim();
    if (disk != null && chosen.size() > 1) {
      throw new IllegalArgumentException(
          "A plan of several machines backs up all their disks; to back up disk "
              + disk
              + " alone, make a plan of that one machine.");
    }
    MachineDetail m = chosen.get(0);
    if (disk != null && m.disks().stream().map(DiskView::name).noneMatch(disk::equals)) {
      throw new IllegalArgumentException(
          m.name()
              + " has no disk "
              + disk
              + (m.disks().isEmpty()
                  ? "; its worker has reported no disks yet."
                  : "; it has "
                      + String.join(", ", m.disks().stream().map(DiskView::name).toList())
                      + "."));
    }
    RepositoryInfo repo =
        spec.repository() == null
            ? repositories.defaultRepository()
            : repositories.get(spec.repository());
    if (repo == null) {
      throw new IllegalArgumentException("No repository " + spec.repository() + ".");
    }
    boolean cron = spec.schedule() != null && !spec.schedule().isBlank();
    Integer online = spec.onlineEveryHours();
    if (online != null && (online < 1 || online > PlanSpec.ONLINE_EVERY_HOURS_MAX)) {
      throw new IllegalArgumentException(
          "A backup when online comes at most every 1 to "
              + PlanSpec.ONLINE_EVERY_HOURS_MAX
              + " hours (30 days); "
              + online
              + " is not.");
    }
    if (!cron && online == null) {
      throw new IllegalArgumentException(
          "A plan needs a schedule (minute hour day month weekday, e.g. '0 2 * * *' for 02:00"
              + " every day), a backup when its machines are online, or both.");
    }
    PlanSchedule schedule =
        cron
            ? new PlanSchedule(spec.schedule(), spec.timeZone())
            : PlanSchedule.orNone(null, spec.timeZone());
    p.name = name;
    p.machineIds.clear();
    chosen.forEach(c -> p.machineIds.add(c.id()));
    p.diskName = disk;
    p.repositoryId = repo.id();
    p.schedule = cron ? spec.schedule().trim() : null;
    p.onlineEveryHours = online;
    p.timeZone = schedule.zone().getId();
    p.verifyAfter = spec.verifyAfter();
    p.enabled = spec.enabled() == null || spec.enabled();
    PlanSpec.Keep keep = spec.keep() == null ? PlanSpec.Keep.ALL : spec.keep();
    for (int n :
        new int[] {
          keep.last(), keep.hourly(), keep.daily(), keep.weekly(), keep.monthly(), keep.yearly()
        }) {
      if (n < 0 || n > KEEP_MAX) {
        throw new IllegalArgumentException(
            "Each keep count is between 0 (rule off) and " + KEEP_MAX + "; " + n + " is not.");
      }
    }
    p.keepLast = keep.last();
    p.keepHourly = keep.hourly();
    p.keepDaily = keep.daily();
    p.keepWeekly = keep.weekly();
    p.keepMonthly = keep.monthly();
    p.keepYearly = keep.yearly();
    int retries = spec.retries() == null ? PlanSpec.DEFAULT_RETRIES : spec.retries();
    if (retries < 0 || retries > RETRIES_MAX) {
      throw new IllegalArgumentException(
          "A plan retries a failed backup 0 (never) to "
              + RETRIES_MAX
              + " times; "
              + retries
              + " is not.");
    }
    int wait =
        spec.retryWaitMinutes() == null
            ? PlanSpec.DEFAULT_RETRY_WAIT_MINUTES
            : spec.retryWaitMinutes();
    if (wait < 1 || wait > RETRY_WAIT_MAX) {
      throw new IllegalArgumentException(
          "The wait before a retry is 1 to "
              + RETRY_WAIT_MAX
              + " minutes (a day); "
              + wait
              + " is not.");
    }
    p.retries = retries;
    p.retryWaitMinutes = wait;
    p.compression = compression(spec.compression());
  }

  /**
   * A plan's compression by name; null or blank is fast, as every backup was before plans had one.
   */
  private static String compression(String name) {
    String c = name == null || name.isBlank() ? "fast" : name.trim().toLowerCase(Locale.ROOT);
    if (PlanSpec.COMPRESSIONS.contains(c)) {
      return c;
    }
    if (c.equals("strong") || c.equals("max")) {
      throw new IllegalArgumentException(
          "A backup compresses with none, fast or balanced. '"
              + name
              + "' is tens of times slower; it is for the repository's nightly recompression,"
              + " which does it off the backup's clock.");
    }
    throw new IllegalArgumentException(
        "Unknown compression '" + name + "'; use none, fast (zstd 1) or balanced (zstd 3).");
  }

  /** Why the plan cannot back up this machine now, or empty when it can. */
  private Optional<String> disksMissing(Plan p, long machine) {
    MachineDetail m = machines.detail(machine).orElse(null);
    if (m == null) {
      return Optional.of("machine " + machine + " is gone");
    }
    if (m.disks().isEmpty()) {
      return Optional.of(m.name() + " has reported no disks yet; wait for its worker's inventory");
    }
    if (p.diskName != null && m.disks().stream().noneMatch(d -> d.name().equals(p.diskName))) {
      return Optional.of(m.name() + " no longer reports disk " + p.diskName + "; edit the plan");
    }
    return Optional.empty();
  }

  /** The plan's machines, in a steady order. */
  private static List<Long> machinesOf(Plan p) {
    return p.machineIds.stream().sorted().toList();
  }

  private String machineNames(Plan p) {
    return p.machineIds.isEmpty()
        ? "no machine"
        : String.join(", ", machinesOf(p).stream().map(machines::nameOf).toList());
  }

  private static PlanSpec.Keep keep(Plan p) {
    return new PlanSpec.Keep(
        p.keepLast, p.keepHourly, p.keepDaily, p.keepWeekly, p.keepMonthly, p.keepYearly);
  }

  private static PlanSchedule schedule(Plan p) {
    return PlanSchedule.orNone(p.schedule, p.timeZone);
  }

  /** "no retries", "1 retry after 10 min", "3 retries 30 min apart". */
  public static String retries(int retries, int waitMinutes) {
    return switch (retries) {
      case 0 -> "no retries";
      case 1 -> "1 retry after " + waitMinutes + " min";
      default -> retries + " retries " + waitMinutes + " min apart";
    };
  }

  private static String stateName(JobView j) {
    return j.state().name().toLowerCase();
  }

  private String describe(Plan p) {
    RepositoryInfo repo = repositories.get(p.repositoryId);
    return machineNames(p)
        + (p.diskName == null ? ", all disks" : ", disk " + p.diskName)
        + " to "
        + (repo == null ? "repository " + p.repositoryId : repo.name())
        + (p.schedule == null ? ", no schedule" : ", '" + p.schedule + "' (" + p.timeZone + ")")
        + (p.onlineEveryHours == null ? "" : ", when online every " + p.onlineEveryHours + " h")
        + (p.verifyAfter ? ", verify after" : "")
        + ", "
        + keep(p)
        + ", "
        + retries(p.retries, p.retryWaitMinutes)
        + ", compression "
        + p.compression
        + (p.enabled ? "" : ", disabled");
  }

  private PlanView view(Plan p) {
    Optional<JobView> last = jobs.lastOfPlan(p.id, null);
    RepositoryInfo repo = repositories.get(p.repositoryId);
    return new PlanView(
        p.id,
        p.name,
        machinesOf(p).stream().map(m -> new PlanView.Machine(m, machines.nameOf(m))).toList(),
        machineNames(p),
        p.diskName,
        p.repositoryId,
        repo == null ? null : repo.name(),
        p.schedule,
        p.timeZone,
        p.verifyAfter,
        p.enabled,
        keep(p),
        p.retries,
        p.retryWaitMinutes,
        p.compression,
        p.onlineEveryHours,
        p.createdBy,
        p.createdAt,
        p.updatedAt,
        p.enabled ? schedule(p).next(clock.instant()).orElse(null) : null,
        last.map(JobView::id).orElse(null),
        last.map(JobView::state).orElse(null),
        last.map(j -> j.finishedAt() != null ? j.finishedAt() : j.createdAt()).orElse(null));
  }
}
