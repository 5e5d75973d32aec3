package io.holdfast.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.holdfast.audit.AuditEntry;
import io.holdfast.audit.AuditOutcome;
import io.holdfast.audit.AuditService;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.export.PartedFile;
import io.holdfast.engine.ops.ExportImage;
import io.holdfast.images.ImageService;
import io.holdfast.images.ImageView;
import io.holdfast.machines.DiskView;
import io.holdfast.machines.MachineDetail;
import io.holdfast.machines.MachineRetired;
import io.holdfast.machines.MachineService;
import io.holdfast.platform.RequestOrigin;
import io.holdfast.repositories.RepositoryInfo;
import io.holdfast.repositories.RepositoryService;
import io.holdfast.worker.protocol.Protocol;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.persistence.TypedQuery;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.NotFoundException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The job queue: what people and plans ask for, handed to workers one claim at a time. Claims use
 * {@code SELECT … FOR UPDATE SKIP LOCKED}, so any number of console replicas can hand out jobs
 * without giving one to two workers.
 */
@ApplicationScoped
public class JobService {

  @Inject EntityManager em;
  @Inject Clock clock;
  @Inject ObjectMapper json;
  @Inject AuditService audit;
  @Inject MachineService machines;
  @Inject RepositoryService repositories;
  @Inject ImageService images;
  @Inject JobsConfig config;
  @Inject Event<JobQueued> queued;
  @Inject Event<JobEnded> ended;
  @Inject JobDispatcher dispatcher;

  // ---------------------------------------------------------------- asking for work

  /**
   * Queues a backup of the machine's disks (one, or all when {@code disk} is null) into the default
   * repository.
   */
  @Transactional
  public long enqueueBackup(
      long machineId, String disk, String requestedBy, String cause, RequestOrigin origin) {
    return insertBackup(machineId, disk, null, requestedBy, cause, origin);
  }

  /**
   * A backup a plan runs.
   *
   * @param compression the engine's name for it: none, fast or balanced
   * @param attempt 1 for a backup its schedule queued, 2 for that one's first retry, and so on;
   *     null for one a person ran
   * @param notBefore not handed to a worker before then (a retry's wait), or null
   */
  public record PlanBackup(
      long planId, long repositoryId, String compression, Integer attempt, Instant notBefore) {}

  /** Queues a backup of the machine's disks (one, or all when {@code disk} is null) for a plan. */
  @Transactional
  public long enqueuePlanBackup(
      long machineId,
      String disk,
      PlanBackup plan,
      String requestedBy,
      String cause,
      RequestOrigin origin) {
    return insertBackup(machineId, disk, plan, requestedBy, cause, origin);
  }

  private long insertBackup(
      long machineId,
      String disk,
      PlanBackup plan,
      String requestedBy,
      String cause,
      RequestOrigin origin) {
    Long repositoryId = plan == null ? null : plan.repositoryId();
    machines.requireInService(machineId);
    MachineDetail m =
        machines
            .detail(machineId)
            .orElseThrow(() -> new IllegalArgumentException("No machine " + machineId + "."));
    if (m.disks().isEmpty()) {
      throw new IllegalStateException(
          m.name() + " has reported no disks yet; wait for its worker's inventory.");
    }
    if (disk != null && m.disks().stream().noneMatch(d -> d.name().equals(disk))) {
      throw new IllegalArgumentException(m.name() + " has no disk " + disk + ".");
    }
    RepositoryInfo repo =
        repositoryId == null ? repositories.defaultRepository() : repositories.get(repositoryId);
    if (repo == null) {
      throw new IllegalArgumentException("No repository " + repositoryId + ".");
    }
    Job j = newJob("backup", machineId, requestedBy, cause);
    j.repositoryId = repo.id();
    j.planId = plan == null ? null : plan.planId();
    j.planAttempt = plan == null ? null : plan.attempt();
    j.notBefore = plan == null ? null : plan.notBefore();
    j.diskName = disk;
    j.maxAttempts = config.backupAttempts();
    j.params =
        write(
            Map.of(
                "compression",
                plan == null || plan.compression() == null ? "fast" : plan.compression()));
    em.persist(j);
    em.flush();
    audit.record(
        new AuditEntry(
            requestedBy,
            "backup.start",
            "machine",
            m.name(),
            AuditOutcome.SUCCESS,
            origin,
            "job " + j.id + (disk == null ? ", all disks" : ", disk " + disk)));
    queued.fire(new JobQueued(machineId));
    return j.id;
  }

  /**
   * Queues a verify of one image, run by the worker of the machine it belongs to, or by another
   * that reaches its repository (see {@link #servingMachine}).
   */
  @Transactional
  public long enqueueVerify(long imageId, String requestedBy, String cause, RequestOrigin origin) {
    ImageView image =
        images
            .get(imageId)
            .orElseThrow(() -> new IllegalArgumentException("No image " + imageId + "."));
    long runner = servingMachine(image);
    Job j = newJob("verify", runner, requestedBy, cause);
    j.repositoryId = image.repositoryId();
    j.imageId = imageId;
    em.persist(j);
    em.flush();
    audit.record(
        new AuditEntry(
            requestedBy,
            "verify.start",
            "image",
            image.manifestId(),
            AuditOutcome.SUCCESS,
            origin,
            "job " + j.id + onBehalf(image.machineId(), runner)));
    queued.fire(new JobQueued(runner));
    return j.id;
  }

  /** An image to verify on the schedule, and why (its cause). */
  public record DueVerify(long imageId, String cause) {}

  /**
   * Queues the scheduled verifies of a repository's images for the window from {@code due} to
   * {@code notAfter}, once per due time: nothing when verifies were queued for this due time
   * already (console replicas take the repository's row lock first, so one of them queues them). An
   * image whose verify is queued or running already is passed over. Returns the jobs' ids.
   */
  @Transactional
  public List<Long> enqueueDueVerifies(
      long repositoryId, Instant due, Instant notAfter, List<DueVerify> wanted) {
    lockRepository(repositoryId);
    List<Long> ids = new ArrayList<>();
    if (dueVerifiesQueued(repositoryId, due)) {
      return ids;
    }
    for (DueVerify w : wanted) {
      ImageView image = images.get(w.imageId()).orElse(null);
      boolean running =
          em.createQuery(
                      "select count(j) from Job j where j.type = 'verify' and j.imageId = :i "
                          + "and j.state in ('queued', 'assigned', 'running')",
                      Long.class)
                  .setParameter("i", w.imageId())
                  .getSingleResult()
              > 0;
      if (image == null || image.repositoryId() != repositoryId || running) {
        continue;
      }
      long runner;
      try {
        runner = servingMachine(image);
      } catch (IllegalStateException noneInService) {
        continue;
      }
      Job j = newJob("verify", runner, "system", w.cause());
      j.repositoryId = repositoryId;
      j.imageId = w.imageId();
      j.notBefore = due;
      j.notAfter = notAfter;
      em.persist(j);
      em.flush();
      audit.record(
          new AuditEntry(
              "system",
              "verify.start",
              "image",
              image.manifestId(),
              AuditOutcome.SUCCESS,
              RequestOrigin.SYSTEM,
              "job " + j.id + ", " + w.cause() + onBehalf(image.machineId(), runner)));
      queued.fire(new JobQueued(runner));
      ids.add(j.id);
    }
    return ids;
  }

  /**
   * Whether the scheduled verifies of a repository for a due time were queued already (by this
   * console or another replica). A cheap read without the repository's lock: the window's later
   * minutes ask it before choosing images again.
   */
  @Transactional
  public boolean dueVerifiesQueued(long repositoryId, Instant due) {
    return em.createQuery(
                "select count(j) from Job j where j.type = 'verify' and j.repositoryId = :r "
                    + "and j.notBefore = :due and j.requestedBy = 'system'",
                Long.class)
            .setParameter("r", repositoryId)
            .setParameter("due", due)
            .getSingleResult()
        > 0;
  }

  /**
   * Queues a prune job: the machine's worker deletes these images' manifests from the repository (a
   * plan's retention let them go). The images are marked pruned in the catalogue when it reports
   * back; their chunks go at the repository's next maintenance.
   */
  @Transactional
  public long enqueuePrune(
      long machineId, long repositoryId, Long planId, List<String> manifestIds, String cause) {
    return enqueuePrune(machineId, machineId, repositoryId, planId, manifestIds, "system", cause);
  }

  /**
   * Queues the deletion of one image, as an admin asks for it (a backup that holds what must not be
   * kept, say): a prune job, whose worker deletes the manifest; the image leaves the catalogue when
   * it reports back. The image's own machine's worker runs it when online, else another online
   * worker that reaches the repository (see {@link #servingMachine}). Refused while a restore or a
   * running job needs the image, or while a prune of it is queued already.
   */
  @Transactional
  public long enqueueImageDelete(long imageId, String reason, String user, RequestOrigin origin) {
    requireDeleteReason(reason, "image is");
    ImageView image =
        images
            .get(imageId)
            .orElseThrow(
                () -> new NotFoundException("No image " + imageId + ", or it is deleted already."));
    if (images.needed(imageId)) {
      throw new IllegalStateException(
          "Image "
              + image.manifestId()
              + " is still needed: a restore request for it is pending or approved, or a job that"
              + " reads it has not ended. Reject or finish those first.");
    }
    Optional<Long> pending = pendingDelete(image);
    if (pending.isPresent()) {
      throw new IllegalStateException(
          "Image "
              + image.manifestId()
              + " is being deleted already, by job "
              + pending.get()
              + ".");
    }
    audit.record(
        new AuditEntry(
            user,
            "image.delete",
            "image",
            image.manifestId(),
            AuditOutcome.SUCCESS,
            origin,
            image.machine() + ", " + reason.strip()));
    return enqueuePrune(
        image.machineId(),
        servingMachine(image),
        image.repositoryId(),
        null,
        List.of(image.manifestId()),
        user,
        "deleted by " + user + ": " + reason.strip());
  }

  /**
   * Queues the deletion of every image of a retired machine, as an admin asks for it once its
   * images need not be kept any longer: one prune job per repository, each run by a worker that
   * reaches it (see {@link #servingMachine}). Images whose deletion is queued already are left to
   * that job. Refused for a machine in service (its plans' retention looks after its images), and
   * while a restore or an unfinished job needs any of the images. Returns the jobs' ids.
   */
  @Transactional
  public List<Long> enqueueMachineImagesDelete(
      long machineId, String reason, String user, RequestOrigin origin) {
    requireDeleteReason(reason, "machine's images are");
    MachineDetail m =
        machines
            .detail(machineId)
            .orElseThrow(() -> new NotFoundException("No machine " + machineId + "."));
    if (!m.retired()) {
      throw new IllegalStateException(
          m.name()
              + " is in service: its plans' retention decides which of its images go. Delete"
              + " single images, or retire the machine first.");
    }
    List<ImageView> all = images.page(machineId, 0, Integer.MAX_VALUE);
    List<String> needed =
        all.stream().filter(i -> images.needed(i.id())).map(ImageView::manifestId).toList();
    if (!needed.isEmpty()) {
      throw new IllegalStateException(
          "Images of "
              + m.name()
              + " are still needed: "
              + String.join(", ", needed)
              + " (a restore request for them is pending or approved, or a job that reads them has"
              + " not ended). Reject or finish those first.");
    }
    Map<Long, List<ImageView>> byRepository = new LinkedHashMap<>();
    for (ImageView i : all) {
      if (pendingDelete(i).isEmpty()) {
        byRepository.computeIfAbsent(i.repositoryId(), r -> new ArrayList<>()).add(i);
      }
    }
    if (byRepository.isEmpty()) {
      throw new IllegalStateException(
          m.name()
              + (all.isEmpty()
                  ? " has no image left."
                  : "'s images are being deleted already, by jobs queued before."));
    }
    audit.record(
        new AuditEntry(
            user,
            "machine.images-delete",
            "machine",
            m.name(),
            AuditOutcome.SUCCESS,
            origin,
            byRepository.values().stream().mapToInt(List::size).sum()
                + " image(s), "
                + reason.strip()));
    List<Long> ids = new ArrayList<>();
    for (List<ImageView> inRepository : byRepository.values()) {
      ImageView first = inRepository.get(0);
      ids.add(
          enqueuePrune(
              machineId,
              servingMachine(first),
              first.repositoryId(),
              null,
              inRepository.stream().map(ImageView::manifestId).toList(),
              user,
              "all images deleted by " + user + ": " + reason.strip()));
    }
    return ids;
  }

  private static void requireDeleteReason(String reason, String what) {
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException(
          "Say why the " + what + " deleted; the reason goes into the audit trail.");
    }
    if (reason.length() > 500) {
      throw new IllegalArgumentException("Keep the reason under 500 characters.");
    }
  }

  /** The unfinished prune job that deletes this image already, if there is one. */
  private Optional<Long> pendingDelete(ImageView image) {
    return em.createQuery(
            "select j.id from Job j where j.type = 'prune' and j.repositoryId = :r"
                + " and j.state in ('queued', 'assigned', 'running')"
                + " and j.params like :manifest",
            Long.class)
        .setParameter("r", image.repositoryId())
        .setParameter("manifest", "%\"" + image.manifestId() + "\"%")
        .setMaxResults(1)
        .getResultStream()
        .findFirst();
  }

  /**
   * @param ownerId the machine whose images these are
   * @param runnerId the machine whose worker deletes them: the owner, or one that reaches the
   *     repository in its stead
   */
  private long enqueuePrune(
      long ownerId,
      long runnerId,
      long repositoryId,
      Long planId,
      List<String> manifestIds,
      String requestedBy,
      String cause) {
    RepositoryInfo repo = repositories.get(repositoryId);
    if (repo == null) {
      throw new IllegalArgumentException("No repository " + repositoryId + ".");
    }
    Job j = newJob("prune", runnerId, requestedBy, cause);
    j.repositoryId = repositoryId;
    j.planId = planId;
    Map<String, Object> params = new LinkedHashMap<>();
    params.put("images", List.copyOf(manifestIds));
    params.put("owner", ownerId);
    j.params = write(params);
    em.persist(j);
    em.flush();
    audit.record(
        new AuditEntry(
            "system",
            "prune.start",
            "machine",
            machines.nameOf(ownerId),
            AuditOutcome.SUCCESS,
            RequestOrigin.SYSTEM,
            "job "
                + j.id
                + ", "
                + cause
                + ": "
                + manifestIds.size()
                + " image(s) in "
                + repo.name()
                + ": "
                + String.join(", ", manifestIds)
                + onBehalf(ownerId, runnerId)));
    queued.fire(new JobQueued(runnerId));
    return j.id;
  }

  /**
   * The machine whose worker verifies or deletes an image: the image's own when it is in service
   * and online. Otherwise, so that the images of a machine that is off for long, or retired, are
   * still verified and can still be deleted, another machine in service that is online and known to
   * reach the repository (the one that would maintain it); when none is online, the image's own
   * machine, whose job waits for it, or if that is retired, the other one all the same.
   *
   * @throws IllegalStateException when every machine that stored images in the repository is
   *     retired: no worker is known to reach it
   */
  private long servingMachine(ImageView image) {
    boolean inService = inService(image.machineId());
    if (inService && online(image.machineId())) {
      return image.machineId();
    }
    Optional<Long> other = maintainingMachine(image.repositoryId());
    if (other.isPresent() && (!inService || online(other.get()))) {
      return other.get();
    }
    if (inService) {
      return image.machineId();
    }
    throw new IllegalStateException(
        "No machine in service is known to reach the repository of image "
            + image.manifestId()
            + ": every machine that stored images there is retired. Enrol a worker again for one"
            + " of them, or back up a machine in service to that repository first.");
  }

  private boolean online(long machineId) {
    return machineCount("last_seen_at > :online", machineId) > 0;
  }

  private boolean inService(long machineId) {
    return machineCount("retired_at is null", machineId) > 0;
  }

  private long machineCount(String condition, long machineId) {
    var q =
        em.createNativeQuery("select count(*) from machine where id = :m and " + condition)
            .setParameter("m", machineId);
    if (condition.contains(":online")) {
      q.setParameter("online", machines.onlineSince());
    }
    return ((Number) q.getSingleResult()).longValue();
  }

  /** For the audit trail: "; run by the worker of B" when a job about A's image runs on B. */
  private String onBehalf(long ownerId, long runnerId) {
    return runnerId == ownerId ? "" : "; run by the worker of " + machines.nameOf(runnerId);
  }

  /**
   * Whose images a prune job deletes: its "owner", or (a job queued before owners were recorded)
   * its machine.
   */
  private static long pruneOwner(Job j, Map<String, Object> params) {
    return params.get("owner") instanceof Number n ? n.longValue() : j.machineId;
  }

  /**
   * Queues a restore of an image (one disk, optionally one partition) onto a path on the target
   * machine, run by that machine's worker; or, with {@code files}, a file restore, which copies
   * those files and folders out of the partition's filesystem into folder {@code target}.
   */
  @Transactional
  public long enqueueRestore(
      long imageId,
      String disk,
      Integer partition,
      long targetMachineId,
      String target,
      String requestedBy,
      String cause,
      Instant notBefore,
      Instant notAfter,
      List<String> files,
      RequestOrigin origin) {
    ImageView image =
        images
            .get(imageId)
            .orElseThrow(() -> new IllegalArgumentException("No image " + imageId + "."));
    if (target == null || target.isBlank()) {
      throw new IllegalArgumentException("A restore needs a target disk or file.");
    }
    machines.requireInService(targetMachineId);
    Job j =
        newJob(files == null ? "restore" : "restore-files", targetMachineId, requestedBy, cause);
    j.notBefore = notBefore;
    j.notAfter = notAfter;
    j.repositoryId = image.repositoryId();
    j.imageId = imageId;
    j.diskName = target;
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("disk", disk);
    p.put("partition", partition);
    p.put("target", target);
    if (files != null) {
      p.put("files", files);
    }
    j.params = write(p);
    em.persist(j);
    em.flush();
    audit.record(
        new AuditEntry(
            requestedBy,
            "restore.start",
            "image",
            image.manifestId(),
            AuditOutcome.SUCCESS,
            origin,
            "job "
                + j.id
                + (files == null ? "" : ", files " + String.join(", ", files) + ",")
                + " to "
                + machines.nameOf(targetMachineId)
                + ":"
                + target));
    queued.fire(new JobQueued(targetMachineId));
    return j.id;
  }

  /**
   * Asks a worker that reaches the image's repository (the image's own machine when online) to list
   * one folder of a partition's filesystem, for someone choosing files to restore. Audited as
   * {@code image.browse}: file names can say as much as the files.
   */
  @Transactional
  public long enqueueListing(
      long imageId,
      String disk,
      Integer partition,
      String path,
      String requestedBy,
      RequestOrigin origin) {
    ImageView image =
        images
            .get(imageId)
            .orElseThrow(() -> new IllegalArgumentException("No image " + imageId + "."));
    String folder = path == null || path.isBlank() ? "/" : path.trim();
    long machine = servingMachine(image);
    if (!online(machine)) {
      throw new IllegalStateException(
          "No worker that reaches the repository of this image is online ("
              + machines.nameOf(machine)
              + " is offline), so its files cannot be listed now. Type the paths instead.");
    }
    Job j = newJob("list-files", machine, requestedBy, "list " + folder);
    j.repositoryId = image.repositoryId();
    j.imageId = imageId;
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("disk", disk);
    p.put("partition", partition);
    p.put("path", folder);
    j.params = write(p);
    em.persist(j);
    em.flush();
    audit.record(
        new AuditEntry(
            requestedBy,
            "image.browse",
            "image",
            image.manifestId(),
            AuditOutcome.SUCCESS,
            origin,
            "job "
                + j.id
                + ": "
                + folder
                + (partition == null ? "" : " of partition " + partition)
                + (disk == null ? "" : " of disk " + disk)
                + " by "
                + machines.nameOf(machine)));
    queued.fire(new JobQueued(machine));
    return j.id;
  }

  /**
   * Where a folder listing stands: {@code listing} once its worker sent it, {@code error} when the
   * listing failed.
   */
  public record Listing(JobState state, String error, Protocol.FileListing listing) {}

  @Transactional(Transactional.TxType.SUPPORTS)
  public Optional<Listing> listing(long jobId) {
    Job j = em.find(Job.class, jobId);
    if (j == null || !j.type.equals("list-files")) {
      return Optional.empty();
    }
    Protocol.FileListing l = null;
    if (j.state() == JobState.SUCCEEDED && j.result != null) {
      try {
        l = json.readValue(j.result, Protocol.JobResult.class).listing();
      } catch (java.io.IOException e) {
        throw new IllegalStateException("Listing " + jobId + " cannot be read back.", e);
      }
    }
    return Optional.of(new Listing(j.state(), j.error, l));
  }

  /**
   * Queues an export: the worker of {@code machineId} (null: the image's own machine) writes a disk
   * of the image (or one partition of it, as a disk of its own) to {@code target} on that machine,
   * as a VHDX or raw file, whole or in numbered parts of {@code splitBytes} (0: whole). The worker
   * refuses a target that exists, so an export never overwrites anything.
   */
  @Transactional
  public long enqueueExport(
      long imageId,
      String disk,
      Integer partition,
      Long machineId,
      String target,
      String format,
      long splitBytes,
      String requestedBy,
      RequestOrigin origin) {
    ImageView image =
        images
            .get(imageId)
            .orElseThrow(() -> new IllegalArgumentException("No image " + imageId + "."));
    if (target == null || !target.startsWith("/")) {
      throw new IllegalArgumentException(
          "An export needs an absolute path on the machine to write to, such as"
              + " /srv/exports/disk0.vhdx.");
    }
    String f;
    try {
      // the engine's own names, so the console admits exactly what a worker writes
      f =
          ExportImage.Format.named(format == null ? "vhdx" : format)
              .name()
              .toLowerCase(Locale.ROOT);
    } catch (EngineException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
    if (splitBytes != 0 && splitBytes < PartedFile.MIN_PART_BYTES) {
      throw new IllegalArgumentException(
          "Parts must be at least 1 MiB ("
              + PartedFile.MIN_PART_BYTES
              + " bytes), or 0 for one file.");
    }
    long writer = machineId == null ? image.machineId() : machineId;
    machines.requireInService(writer);
    if (machines.detail(writer).isEmpty()) {
      throw new IllegalArgumentException("No machine " + writer + ".");
    }
    Job j = newJob("export", writer, requestedBy, "export to " + target);
    j.repositoryId = image.repositoryId();
    j.imageId = imageId;
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("disk", disk);
    p.put("partition", partition);
    p.put("target", target);
    p.put("format", f);
    p.put("splitBytes", splitBytes);
    j.params = write(p);
    em.persist(j);
    em.flush();
    audit.record(
        new AuditEntry(
            requestedBy,
            "export.start",
            "image",
            image.manifestId(),
            AuditOutcome.SUCCESS,
            origin,
            "job "
                + j.id
                + ", "
                + f
                + (disk == null ? (partition == null ? " of every disk" : "") : " of disk " + disk)
                + (partition == null ? "" : " of partition " + partition)
                + " to "
                + machines.nameOf(writer)
                + ":"
                + target
                + (splitBytes == 0 ? "" : " in parts of " + splitBytes + " bytes")));
    queued.fire(new JobQueued(writer));
    return j.id;
  }

  /**
   * Queues maintenance of a repository (garbage collection, then recompression), run by the worker
   * of a machine that stored images there, and so is known to reach the repository by its path: the
   * online one with the newest image (see {@link #maintainingMachine}). Refused while another
   * maintenance of it is queued or running.
   *
   * @param notBefore when a scheduled run fell due (it starts no earlier), or null
   * @param notAfter cancelled if no worker could start it by then (the end of a scheduled window),
   *     or null
   */
  @Transactional
  public long enqueueMaintenance(
      long repositoryId,
      Protocol.MaintenanceOrder what,
      String requestedBy,
      String cause,
      Instant notBefore,
      Instant notAfter,
      RequestOrigin origin) {
    RepositoryInfo repo = repositories.get(repositoryId);
    if (repo == null) {
      throw new NotFoundException("No repository " + repositoryId + ".");
    }
    lockRepository(repositoryId);
    Optional<Long> active = activeMaintenance(repositoryId);
    if (active.isPresent()) {
      throw new IllegalStateException(
          "Maintenance of repository "
              + repo.name()
              + " is already queued or running as job "
              + active.get()
              + ".");
    }
    long machine =
        maintainingMachine(repositoryId)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "Repository "
                            + repo.name()
                            + " holds no image yet, so there is nothing to maintain, and no"
                            + " worker is known to reach it."));
    return insertMaintenance(repo, machine, what, requestedBy, cause, notBefore, notAfter, origin);
  }

  private long insertMaintenance(
      RepositoryInfo repo,
      long machine,
      Protocol.MaintenanceOrder what,
      String requestedBy,
      String cause,
      Instant notBefore,
      Instant notAfter,
      RequestOrigin origin) {
    Job j = newJob("maintenance", machine, requestedBy, cause);
    j.repositoryId = repo.id();
    j.notBefore = notBefore;
    j.notAfter = notAfter;
    j.params = write(what);
    em.persist(j);
    em.flush();
    audit.record(
        new AuditEntry(
            requestedBy,
            "maintenance.start",
            "repository",
            repo.name(),
            AuditOutcome.SUCCESS,
            origin,
            "job "
                + j.id
                + " on "
                + machines.nameOf(machine)
                + ": garbage collection, then recompression at "
                + what.compression()
                + " of up to "
                + what.budgetBytes()
                + " bytes"));
    queued.fire(new JobQueued(machine));
    return j.id;
  }

  /**
   * Queues the scheduled maintenance that fell due at {@code due}, unless it was queued already
   * (its job starts no earlier than {@code due}, which marks it), another one is still queued or
   * running, or the repository holds no image yet. Console replicas ticking at once queue it once:
   * each takes the repository's row lock first.
   */
  @Transactional
  public Optional<Long> enqueueDueMaintenance(
      long repositoryId, Instant due, Instant notAfter, Protocol.MaintenanceOrder what) {
    lockRepository(repositoryId);
    long queuedBefore =
        em.createQuery(
                "select count(j) from Job j where j.type = 'maintenance' and j.repositoryId = :r "
                    + "and j.notBefore = :due",
                Long.class)
            .setParameter("r", repositoryId)
            .setParameter("due", due)
            .getSingleResult();
    if (queuedBefore > 0 || activeMaintenance(repositoryId).isPresent()) {
      return Optional.empty();
    }
    return maintainingMachine(repositoryId)
        .map(
            machine ->
                insertMaintenance(
                    repositories.get(repositoryId),
                    machine,
                    what,
                    "system",
                    "schedule",
                    due,
                    notAfter,
                    RequestOrigin.SYSTEM));
  }

  /** The newest maintenance job of the repository, whatever its state. */
  @Transactional
  public Optional<MaintenanceRun> lastMaintenance(long repositoryId) {
    return em.createQuery(
            "from Job j where j.type = 'maintenance' and j.repositoryId = :r "
                + "order by j.createdAt desc, j.id desc",
            Job.class)
        .setParameter("r", repositoryId)
        .setMaxResults(1)
        .getResultStream()
        .findFirst()
        .map(
            j ->
                new MaintenanceRun(
                    j.id,
                    j.state(),
                    j.cause,
                    j.createdAt,
                    j.finishedAt,
                    j.error,
                    j.result == null ? null : readMaintenance(j.result)));
  }

  private Optional<Long> activeMaintenance(long repositoryId) {
    return em.createQuery(
            "select j.id from Job j where j.type = 'maintenance' and j.repositoryId = :r "
                + "and j.state in ('queued', 'assigned', 'running')",
            Long.class)
        .setParameter("r", repositoryId)
        .setMaxResults(1)
        .getResultStream()
        .findFirst();
  }

  /**
   * The machine whose worker runs a repository's maintenance. Each machine that stored an image
   * there is known to reach it by its path; of those, the online one whose newest image there is
   * newest, and when none is online, the one with the newest image (its job waits for it).
   */
  private Optional<Long> maintainingMachine(long repositoryId) {
    @SuppressWarnings("unchecked")
    List<Number> rows =
        em.createNativeQuery(
                "select i.machine_id from image i join machine m on m.id = i.machine_id"
                    + " where i.repository_id = :r and m.retired_at is null"
                    + " group by i.machine_id, m.last_seen_at"
                    + " order by coalesce(m.last_seen_at > :online, false) desc,"
                    + " max(i.created_at) desc, max(i.id) desc limit 1")
            .setParameter("r", repositoryId)
            .setParameter("online", machines.onlineSince())
            .getResultList();
    return rows.stream().findFirst().map(Number::longValue);
  }

  private void lockRepository(long repositoryId) {
    em.createNativeQuery("select id from repository where id = :r for update")
        .setParameter("r", repositoryId)
        .getResultList();
  }

  private Protocol.MaintenanceSummary readMaintenance(String result) {
    try {
      return json.readValue(result, Protocol.JobResult.class).maintenance();
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private Job newJob(String type, long machineId, String requestedBy, String cause) {
    Job j = new Job();
    Instant now = clock.instant();
    j.type = type;
    j.state = JobState.QUEUED.id();
    j.machineId = machineId;
    j.requestedBy = requestedBy;
    j.cause = cause;
    j.createdAt = now;
    j.updatedAt = now;
    return j;
  }

  // ---------------------------------------------------------------- handing out work

  /**
   * Assigns up to {@code capacity} queued jobs of this machine to the worker, respecting the
   * worker's and the repositories' limits and never two disk jobs on one disk at once.
   */
  @Transactional
  public List<Protocol.JobOrder> claim(
      long workerId, long machineId, int capacity, int workerMaxJobs) {
    long active =
        em.createQuery(
                "select count(j) from Job j where j.workerId = :w and j.state in ('assigned', 'running')",
                Long.class)
            .setParameter("w", workerId)
            .getSingleResult();
    int n = (int) Math.min(capacity, workerMaxJobs - active);
    if (n <= 0) {
      return List.of();
    }
    long queueVersion = dispatcher.version(machineId);
    // Candidates are locked with SKIP LOCKED: a job another console instance is handing out
    // right now is simply not seen here, so no job is ever assigned twice.
    @SuppressWarnings("unchecked")
    List<Object[]> candidates =
        em.createNativeQuery(
                """
                select j.id, j.type, j.repository_id, j.disk_name from job j
                where j.state = 'queued' and j.machine_id = :m
                  and (j.not_before is null or j.not_before <= :now)
                order by j.created_at, j.id
                limit :lim
                for update skip locked
                """)
            .setParameter("m", machineId)
            .setParameter("now", clock.instant())
            .setParameter("lim", n * 4 + 8)
            .getResultList();
    if (candidates.isEmpty()) {
      dispatcher.nothingQueued(machineId, queueVersion);
      return List.of();
    }
    Map<Long, long[]> repoLoad = repositoryLoad();
    List<String[]> busyDisks = busyDisks(machineId);
    List<Protocol.JobOrder> orders = new ArrayList<>();
    Instant now = clock.instant();
    for (Object[] c : candidates) {
      if (orders.size() == n) {
        break;
      }
      String type = (String) c[1];
      Long repo = c[2] == null ? null : ((Number) c[2]).longValue();
      String disk = (String) c[3];
      // a folder listing reads a few chunks while someone waits: no backup's slot is taken
      if (repo != null && !type.equals("list-files")) {
        long[] load = repoLoad.get(repo);
        if (load != null && load[0] >= load[1]) {
          continue;
        }
      }
      if (usesDisks(type)
          && busyDisks.stream().anyMatch(b -> b[0] == null || disk == null || b[0].equals(disk))) {
        continue;
      }
      Job j = em.find(Job.class, ((Number) c[0]).longValue());
      j.moveTo(JobState.ASSIGNED, now);
      j.progressAt = now;
      j.workerId = workerId;
      j.attempts++;
      if (repo != null && repoLoad.containsKey(repo)) {
        repoLoad.get(repo)[0]++;
      }
      if (usesDisks(type)) {
        busyDisks.add(new String[] {disk});
      }
      orders.add(order(j));
    }
    return orders;
  }

  /**
   * Whether a job of this type reads or writes the machine's disks, so that two such jobs never run
   * on one disk at once. Verify and maintenance touch only the repository.
   */
  private static boolean usesDisks(String type) {
    return type.equals("backup") || type.equals("restore");
  }

  /** Per repository: jobs running on it now, and its limit. */
  private Map<Long, long[]> repositoryLoad() {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                "select r.id, r.max_jobs, (select count(*) from job x where x.repository_id = r.id "
                    + "and x.state in ('assigned', 'running')) from repository r")
            .getResultList();
    Map<Long, long[]> load = new HashMap<>();
    for (Object[] r : rows) {
      load.put(
          ((Number) r[0]).longValue(),
          new long[] {((Number) r[2]).longValue(), ((Number) r[1]).longValue()});
    }
    return load;
  }

  /** Disks of the machine a backup or restore is working on now; {null} means all its disks. */
  private List<String[]> busyDisks(long machineId) {
    @SuppressWarnings("unchecked")
    List<String> rows =
        em.createNativeQuery(
                "select disk_name from job where machine_id = :m and type in ('backup', 'restore') "
                    + "and state in ('assigned', 'running')")
            .setParameter("m", machineId)
            .getResultList();
    List<String[]> busy = new ArrayList<>();
    rows.forEach(d -> busy.add(new String[] {d}));
    return busy;
  }

  private Protocol.JobOrder order(Job j) {
    String machine = machines.nameOf(j.machineId);
    RepositoryInfo repo = j.repositoryId == null ? null : repositories.get(j.repositoryId);
    Map<String, Object> p = read(j.params);
    return switch (j.type) {
      case "backup" -> {
        List<Protocol.DiskTarget> disks = new ArrayList<>();
        for (DiskView d :
            machines.detail(j.machineId).map(MachineDetail::disks).orElse(List.of())) {
          if (j.diskName == null || j.diskName.equals(d.name())) {
            disks.add(new Protocol.DiskTarget(d.name(), d.path(), null));
          }
        }
        yield Protocol.JobOrder.backup(
            j.id, machine, repo.path(), disks, (String) p.get("compression"), repo.encrypted());
      }
      case "verify" -> Protocol.JobOrder.verify(j.id, machine, repo.path(), manifestOf(j));
      case "restore" ->
          Protocol.JobOrder.restore(
              j.id,
              machine,
              repo.path(),
              manifestOf(j),
              (String) p.get("disk"),
              partitionOf(p),
              (String) p.get("target"));
      case "restore-files" -> {
        @SuppressWarnings("unchecked")
        List<String> files = (List<String>) p.get("files");
        yield Protocol.JobOrder.restoreFiles(
            j.id,
            machine,
            repo.path(),
            manifestOf(j),
            (String) p.get("disk"),
            partitionOf(p),
            (String) p.get("target"),
            files);
      }
      case "list-files" ->
          Protocol.JobOrder.listFiles(
              j.id,
              machine,
              repo.path(),
              manifestOf(j),
              (String) p.get("disk"),
              partitionOf(p),
              (String) p.get("path"));
      case "export" ->
          Protocol.JobOrder.export(
              j.id,
              machine,
              repo.path(),
              manifestOf(j),
              (String) p.get("disk"),
              partitionOf(p),
              (String) p.get("target"),
              new Protocol.ExportOrder(
                  (String) p.get("format"), ((Number) p.get("splitBytes")).longValue()));
      case "prune" -> {
        @SuppressWarnings("unchecked")
        List<String> ids = (List<String>) p.getOrDefault("images", List.of());
        yield Protocol.JobOrder.prune(j.id, machines.nameOf(pruneOwner(j, p)), repo.path(), ids);
      }
      case "maintenance" ->
          Protocol.JobOrder.maintenance(
              j.id, machine, repo.path(), json.convertValue(p, Protocol.MaintenanceOrder.class));
      default -> throw new IllegalStateException("unknown job type " + j.type);
    };
  }

  private String manifestOf(Job j) {
    return j.imageId == null ? null : images.get(j.imageId).map(ImageView::manifestId).orElse(null);
  }

  // ---------------------------------------------------------------- hearing back

  /** Records progress; answers whether the worker should stop. */
  @Transactional
  public boolean progress(long workerId, long jobId, Protocol.ProgressReport p) {
    Job j = owned(workerId, jobId);
    if (j.state().finished()) {
      return true;
    }
    Instant now = clock.instant();
    if (j.state() == JobState.ASSIGNED) {
      j.moveTo(JobState.RUNNING, now);
    }
    if (!Objects.equals(j.phase, p.phase()) || p.bytesDone() > j.bytesDone) {
      j.progressAt = now;
    }
    j.phase = p.phase();
    j.bytesDone = Math.max(0, p.bytesDone());
    j.bytesTotal = Math.max(0, p.bytesTotal());
    j.rateBps = Math.max(0, p.rateBps());
    j.updatedAt = now;
    return j.cancelRequested;
  }

  @Transactional
  public void log(long workerId, long jobId, List<Protocol.LogLine> lines) {
    owned(workerId, jobId);
    Instant now = clock.instant();
    for (Protocol.LogLine l : lines) {
      appendLog(
          jobId,
          now,
          l.level() == null ? "info" : l.level(),
          l.message() == null ? "" : l.message());
    }
  }

  /** The worker's outcome. A result for a job the console already ended is kept in the log only. */
  @Transactional
  public void finish(long workerId, long jobId, Protocol.JobResult r) {
    Job j = owned(workerId, jobId);
    Instant now = clock.instant();
    if (j.state().finished()) {
      if ("succeeded".equals(r.state()) && r.image() != null && j.imageId == null) {
        // the image is complete in the repository whatever the console decided meanwhile: left
        // out of the catalogue it could not be restored, and no retention would ever let it go
        j.imageId = images.record(j.machineId, j.repositoryId, r.image());
        appendLog(
            jobId,
            now,
            "warn",
            "Late result from the worker: the job had already ended as "
                + j.state
                + ", but the image it made ("
                + r.image().manifestId()
                + ") is complete and is catalogued all the same.");
        return;
      }
      appendLog(
          jobId,
          now,
          "warn",
          "Late result from the worker ignored ("
              + r.state()
              + "): the job had already ended as "
              + j.state);
      return;
    }
    JobState to =
        switch (r.state()) {
          case "succeeded" -> JobState.SUCCEEDED;
          case "cancelled" -> JobState.CANCELLED;
          case "failed" -> JobState.FAILED;
          default ->
              throw new IllegalArgumentException("Unknown result state '" + r.state() + "'.");
        };
    if (to == JobState.SUCCEEDED && j.state() == JobState.ASSIGNED) {
      j.moveTo(JobState.RUNNING, now);
    }
    j.moveTo(to, now);
    j.error = r.error();
    if (to == JobState.SUCCEEDED) {
      j.bytesDone = j.bytesTotal;
      if (r.image() != null) {
        long imageId = images.record(j.machineId, j.repositoryId, r.image());
        j.imageId = imageId;
      }
      if (r.verify() != null && j.imageId != null) {
        images.recordVerify(j.imageId, r.verify());
      }
      if (r.prune() != null && j.repositoryId != null) {
        List<String> gone = new ArrayList<>();
        if (r.prune().removed() != null) {
          gone.addAll(r.prune().removed());
        }
        if (r.prune().missing() != null) {
          gone.addAll(r.prune().missing());
        }
        images.markPruned(pruneOwner(j, read(j.params)), j.repositoryId, gone);
      }
      if (r.maintenance() != null && j.repositoryId != null) {
        repositories.recordMaintenance(j.repositoryId, r.maintenance().storedBytes(), now);
      }
      j.result = write(r);
    }
    audit.record(
        new AuditEntry(
            "worker:" + workerId,
            "job." + to.id(),
            "job",
            String.valueOf(jobId),
            to == JobState.SUCCEEDED ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE,
            RequestOrigin.SYSTEM,
            j.type
                + " on "
                + machines.nameOf(j.machineId)
                + (r.error() == null ? "" : ": " + r.error())));
    ended.fire(new JobEnded(j.id, j.type, to));
  }

  /** Cancels queued jobs whose window closed before a worker could start them; returns how many. */
  @Transactional
  public int cancelMissedWindows() {
    Instant now = clock.instant();
    List<Job> missed =
        em.createQuery(
                "from Job j where j.state = 'queued' and j.notAfter is not null and j.notAfter < :now",
                Job.class)
            .setParameter("now", now)
            .setLockMode(LockModeType.PESSIMISTIC_WRITE)
            .getResultList();
    for (Job j : missed) {
      j.moveTo(JobState.CANCELLED, now);
      j.error =
          "The time window closed at " + j.notAfter + " before a worker could start this job.";
      appendLog(j.id, now, "warn", j.error);
      audit.record(
          new AuditEntry(
              "system",
              "job.cancelled",
              "job",
              String.valueOf(j.id),
              AuditOutcome.FAILURE,
              RequestOrigin.SYSTEM,
              j.error));
      ended.fire(new JobEnded(j.id, j.type, JobState.CANCELLED));
    }
    return missed.size();
  }

  /**
   * Hands back to a worker that was declared lost the jobs it still reports running, where no other
   * claim took them meanwhile; call before {@link #claim} and {@link #toStop}.
   */
  @Transactional
  public void readopt(long workerId, List<Long> running) {
    if (running == null || running.isEmpty()) {
      return;
    }
    em.createQuery(
            "select j from Job j where j.id in :ids and j.state = 'queued' and j.lostWorkerId = :w",
            Job.class)
        .setParameter("ids", running)
        .setParameter("w", workerId)
        .setLockMode(LockModeType.PESSIMISTIC_WRITE)
        .getResultList()
        .forEach(j -> readopt(j, workerId));
  }

  private void readopt(Job j, long workerId) {
    Instant now = clock.instant();
    j.moveTo(JobState.ASSIGNED, now);
    j.workerId = workerId;
    j.progressAt = now;
    appendLog(
        j.id,
        now,
        "info",
        "Worker "
            + workerId
            + " is back and still has attempt "
            + j.attempts
            + "; it carries on with it instead of a new attempt.");
  }

  /** Jobs the worker believes it runs but should stop: cancelled, or ended by the console. */
  @Transactional
  public List<Long> toStop(long workerId, List<Long> running) {
    if (running == null || running.isEmpty()) {
      return List.of();
    }
    return em.createQuery(
            "select j.id from Job j where j.id in :ids and (j.cancelRequested = true or j.workerId is null "
                + "or j.workerId <> :w or j.state not in ('assigned', 'running'))",
            Long.class)
        .setParameter("ids", running)
        .setParameter("w", workerId)
        .getResultList();
  }

  /**
   * Fails the running jobs of workers silent past the deadline, and requeues those allowed another
   * try.
   */
  @Transactional
  public int failJobsOfLostWorkers() {
    Instant now = clock.instant();
    Instant cutoff = now.minus(config.workerLostAfter());
    @SuppressWarnings("unchecked")
    List<Number> lost =
        em.createNativeQuery(
                "select j.id from job j join worker w on w.id = j.worker_id "
                    + "where j.state in ('assigned', 'running') and (w.last_seen_at is null or w.last_seen_at < :cutoff) "
                    + "for update of j skip locked")
            .setParameter("cutoff", cutoff)
            .getResultList();
    for (Number id : lost) {
      Job j = em.find(Job.class, id.longValue());
      Long lostWorker = j.workerId;
      failBySystem(
          j,
          now,
          "Worker lost: no contact from worker "
              + j.workerId
              + " for "
              + config.workerLostAfter().toSeconds()
              + " s.");
      if (j.attempts < j.maxAttempts) {
        j.moveTo(JobState.QUEUED, now);
        j.lostWorkerId = lostWorker;
        appendLog(
            j.id,
            now,
            "info",
            "Queued again (attempt "
                + (j.attempts + 1)
                + " of "
                + j.maxAttempts
                + "), unless worker "
                + lostWorker
                + " comes back with it first.");
        queued.fire(new JobQueued(j.machineId));
      } else {
        ended.fire(new JobEnded(j.id, j.type, JobState.FAILED));
      }
    }
    return lost.size();
  }

  /** The console fails a job by itself: the error in the job's log and the audit trail. */
  private void failBySystem(Job j, Instant now, String error) {
    j.moveTo(JobState.FAILED, now);
    j.error = error;
    appendLog(j.id, now, "error", error);
    audit.record(
        new AuditEntry(
            "system",
            "job.failed",
            "job",
            String.valueOf(j.id),
            AuditOutcome.FAILURE,
            RequestOrigin.SYSTEM,
            error));
  }

  /**
   * Fails the jobs that stopped moving although their worker is in contact: no more bytes done and
   * no new phase for {@link JobsConfig#stalledAfter}. The worker is told to stop each at its next
   * poll. They are not queued again here (the stuck attempt may still hold the disk); a plan's
   * retries and the failure alerts take them from there. Returns how many.
   */
  @Transactional
  public int failStalledJobs() {
    Instant now = clock.instant();
    @SuppressWarnings("unchecked")
    List<Number> stalled =
        em.createNativeQuery(
                "select j.id from job j join worker w on w.id = j.worker_id "
                    + "where j.state in ('assigned', 'running') and w.last_seen_at >= :alive "
                    + "and coalesce(j.progress_at, j.updated_at) < :since "
                    + "for update of j skip locked")
            .setParameter("alive", now.minus(config.workerLostAfter()))
            .setParameter("since", now.minus(config.stalledAfter()))
            .getResultList();
    for (Number id : stalled) {
      Job j = em.find(Job.class, id.longValue());
      Instant since = j.progressAt == null ? j.updatedAt : j.progressAt;
      j.cancelRequested = true;
      failBySystem(
          j,
          now,
          "Stalled: no progress for "
              + Duration.between(since, now).toMinutes()
              + " min"
              + (j.phase == null
                  ? ""
                  : " (" + j.phase + ", " + j.bytesDone + " of " + j.bytesTotal + " bytes)")
              + " although worker "
              + j.workerId
              + " is in contact; it was told to stop the job. A disk or share that stopped"
              + " answering does this.");
      ended.fire(new JobEnded(j.id, j.type, JobState.FAILED));
    }
    return stalled.size();
  }

  // ---------------------------------------------------------------- people acting on jobs

  /**
   * A retired machine's unfinished jobs end as cancelled, in the retiring transaction: its workers
   * are revoked with it, so none of them would ever run or report. A worker that was still writing
   * an image leaves unreferenced chunks, which garbage collection frees.
   */
  void onMachineRetired(@Observes MachineRetired retired) {
    Instant now = clock.instant();
    List<Job> open =
        em.createQuery(
                "from Job j where j.machineId = :m and j.state in ('queued', 'assigned', 'running')",
                Job.class)
            .setParameter("m", retired.machineId())
            .setLockMode(LockModeType.PESSIMISTIC_WRITE)
            .getResultList();
    for (Job j : open) {
      j.moveTo(JobState.CANCELLED, now);
      j.error = retired.name() + " was retired by " + retired.user() + " before this job ended.";
      appendLog(j.id, now, "warn", j.error);
      audit.record(
          new AuditEntry(
              retired.user(),
              "job.cancel",
              "job",
              String.valueOf(j.id),
              AuditOutcome.SUCCESS,
              RequestOrigin.SYSTEM,
              j.type + ", machine retired"));
      ended.fire(new JobEnded(j.id, j.type, JobState.CANCELLED));
    }
  }

  @Transactional
  public void cancel(long jobId, String user, RequestOrigin origin) {
    Job j = em.find(Job.class, jobId, LockModeType.PESSIMISTIC_WRITE);
    if (j == null) {
      throw new NotFoundException();
    }
    Instant now = clock.instant();
    if (j.state().finished()) {
      throw new IllegalStateException("Job " + jobId + " has already ended (" + j.state + ").");
    }
    if (j.state() == JobState.QUEUED) {
      j.moveTo(JobState.CANCELLED, now);
      j.error = "Cancelled by " + user + " before it started.";
      ended.fire(new JobEnded(j.id, j.type, JobState.CANCELLED));
    } else {
      j.cancelRequested = true;
      j.updatedAt = now;
    }
    appendLog(jobId, now, "warn", "Cancel requested by " + user + ".");
    audit.record(
        new AuditEntry(
            user,
            "job.cancel",
            "job",
            String.valueOf(jobId),
            AuditOutcome.SUCCESS,
            origin,
            j.type));
  }

  /** Runs an ended job again as a new job; returns the new job's id. */
  @Transactional
  public long retry(long jobId, String user, RequestOrigin origin) {
    Job old = em.find(Job.class, jobId);
    if (old == null) {
      throw new NotFoundException();
    }
    if (!(old.state() == JobState.FAILED || old.state() == JobState.CANCELLED)) {
      throw new IllegalStateException(
          "Only a failed or cancelled job can be retried; job " + jobId + " is " + old.state + ".");
    }
    Job j = newJob(old.type, old.machineId, user, "retry of job " + jobId);
    j.repositoryId = old.repositoryId;
    j.imageId = old.type.equals("backup") ? null : old.imageId;
    j.diskName = old.diskName;
    j.params = old.params;
    j.maxAttempts = old.maxAttempts;
    em.persist(j);
    em.flush();
    audit.record(
        new AuditEntry(
            user,
            "job.retry",
            "job",
            String.valueOf(jobId),
            AuditOutcome.SUCCESS,
            origin,
            "new job " + j.id));
    queued.fire(new JobQueued(j.machineId));
    return j.id;
  }

  // ---------------------------------------------------------------- reading

  /**
   * Whether a backup or restore is queued or running on this disk (or all disks) of the machine.
   */
  @Transactional
  public boolean diskBusy(long machineId, String disk) {
    return em.createQuery(
                "select count(j) from Job j where j.machineId = :m and j.type in ('backup', 'restore') "
                    + "and j.state in ('queued', 'assigned', 'running') "
                    + "and (j.diskName is null or :d is null or j.diskName = :d)",
                Long.class)
            .setParameter("m", machineId)
            .setParameter("d", disk)
            .getSingleResult()
        > 0;
  }

  /**
   * The newest backup job a plan queued for one of its machines ({@code machineId} null: for any of
   * them), whatever its state.
   */
  @Transactional
  public Optional<JobView> lastOfPlan(long planId, Long machineId) {
    return em.createQuery(
            "from Job j where j.planId = :p and (:m is null or j.machineId = :m) "
                + "and j.type = 'backup' order by j.createdAt desc, j.id desc",
            Job.class)
        .setParameter("p", planId)
        .setParameter("m", machineId)
        .setMaxResults(1)
        .getResultStream()
        .findFirst()
        .map(this::view);
  }

  /** The plan that queued a job, or empty. */
  @Transactional
  public Optional<Long> planOf(long jobId) {
    Job j = em.find(Job.class, jobId);
    return j == null ? Optional.empty() : Optional.ofNullable(j.planId);
  }

  /**
   * A plan's backup job as its schedule sees it.
   *
   * @param attempt 1 for the scheduled backup, 2 for its first retry, …; null when a person ran it
   * @param error why it failed, or null
   */
  public record PlanRun(long planId, long machineId, Integer attempt, String error) {}

  /** The plan run a job is, or empty when no plan queued it. */
  @Transactional
  public Optional<PlanRun> planRunOf(long jobId) {
    Job j = em.find(Job.class, jobId);
    return j == null || j.planId == null
        ? Optional.empty()
        : Optional.of(new PlanRun(j.planId, j.machineId, j.planAttempt, j.error));
  }

  @Transactional
  public Optional<JobView> get(long id) {
    Job j = em.find(Job.class, id);
    return Optional.ofNullable(j).map(this::view);
  }

  @Transactional
  public List<JobView> page(JobFilter f, int offset, int limit) {
    TypedQuery<Job> q =
        em.createQuery(
            "from Job j where " + where(f) + " order by j.createdAt desc, j.id desc", Job.class);
    bind(q, f);
    return q.setFirstResult(offset).setMaxResults(limit).getResultList().stream()
        .map(this::view)
        .toList();
  }

  @Transactional
  public long count(JobFilter f) {
    TypedQuery<Long> q = em.createQuery("select count(j) from Job j where " + where(f), Long.class);
    bind(q, f);
    return q.getSingleResult();
  }

  @Transactional
  public List<JobLogLine> logs(long jobId, long afterId) {
    return em
        .createQuery("from JobLog l where l.jobId = :j and l.id > :a order by l.id", JobLog.class)
        .setParameter("j", jobId)
        .setParameter("a", afterId)
        .setMaxResults(1000)
        .getResultList()
        .stream()
        .map(l -> new JobLogLine(l.id, l.at, l.level, l.message))
        .toList();
  }

  private static String where(JobFilter f) {
    StringBuilder w = new StringBuilder("true");
    if (f.state() != null) {
      w.append(" and j.state = :state");
    }
    if (f.type() != null) {
      w.append(" and j.type = :type");
    } else {
      // a folder listing someone browsed is on the audit trail, not in the job list
      w.append(" and j.type <> 'list-files'");
    }
    if (f.machineId() != null) {
      w.append(" and j.machineId = :machine");
    }
    if (f.machineName() != null && !f.machineName().isBlank()) {
      w.append(" and j.machineId in (select m.id from Machine m where lower(m.name) like :mname)");
    }
    if (f.since() != null) {
      w.append(" and j.createdAt >= :since");
    }
    return w.toString();
  }

  private static void bind(TypedQuery<?> q, JobFilter f) {
    if (f.state() != null) {
      q.setParameter("state", f.state().id());
    }
    if (f.type() != null) {
      q.setParameter("type", f.type());
    }
    if (f.machineId() != null) {
      q.setParameter("machine", f.machineId());
    }
    if (f.machineName() != null && !f.machineName().isBlank()) {
      q.setParameter("mname", "%" + f.machineName().trim().toLowerCase() + "%");
    }
    if (f.since() != null) {
      q.setParameter("since", f.since());
    }
  }

  private JobView view(Job j) {
    return new JobView(
        j.id,
        j.type,
        j.state(),
        j.machineId,
        machines.nameOf(j.machineId),
        j.imageId,
        j.diskName,
        j.cause,
        j.requestedBy,
        j.workerId,
        j.attempts,
        j.maxAttempts,
        j.cancelRequested,
        j.createdAt,
        j.startedAt,
        j.finishedAt,
        j.phase,
        j.bytesDone,
        j.bytesTotal,
        j.rateBps,
        j.error);
  }

  /**
   * The job, locked, if this worker holds it. Results and progress of one job are so taken one at a
   * time: two results arriving together (a retried delivery and a second attempt, say) cannot both
   * catalogue an image. A worker the console declared lost that reports on a job queued again and
   * not yet claimed gets it back: the attempt it still runs, or has finished, counts.
   */
  private Job owned(long workerId, long jobId) {
    Job j = em.find(Job.class, jobId, LockModeType.PESSIMISTIC_WRITE);
    if (j == null) {
      throw new NotFoundException("No job " + jobId + ".");
    }
    if (j.state() == JobState.QUEUED && Objects.equals(j.lostWorkerId, workerId)) {
      readopt(j, workerId);
    }
    if (j.workerId == null || j.workerId != workerId) {
      throw new ForbiddenException("Job " + jobId + " is not assigned to this worker.");
    }
    return j;
  }

  private void appendLog(long jobId, Instant at, String level, String message) {
    JobLog l = new JobLog();
    l.jobId = jobId;
    l.at = at;
    l.level = level.length() > 10 ? level.substring(0, 10) : level;
    l.message = message.length() > 4000 ? message.substring(0, 4000) : message;
    em.persist(l);
  }

  private String write(Object o) {
    try {
      return json.writeValueAsString(o);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  /** The partition a job's parameters name, or null for a whole disk. */
  private static Integer partitionOf(Map<String, Object> params) {
    return params.get("partition") == null ? null : ((Number) params.get("partition")).intValue();
  }

  private Map<String, Object> read(String s) {
    try {
      return json.readValue(s, Map.class);
    } catch (JsonProcessingException e) {
      return Map.of();
    }
  }
}
