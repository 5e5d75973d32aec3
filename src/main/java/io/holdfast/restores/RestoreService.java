package io.holdfast.restores;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.holdfast.audit.AuditEntry;
import io.holdfast.audit.AuditOutcome;
import io.holdfast.audit.AuditService;
import io.holdfast.engine.disk.Partition;
import io.holdfast.engine.ops.ImageFiles;
import io.holdfast.images.ImageService;
import io.holdfast.images.ImageView;
import io.holdfast.jobs.JobService;
import io.holdfast.jobs.JobState;
import io.holdfast.jobs.JobView;
import io.holdfast.machines.DiskView;
import io.holdfast.machines.MachineDetail;
import io.holdfast.machines.MachineRetired;
import io.holdfast.machines.MachineService;
import io.holdfast.platform.NotPermitted;
import io.holdfast.platform.RequestOrigin;
import io.holdfast.platform.Role;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Restore requests and their approval by a second person. Checks run before anyone is asked; an
 * approval is single-use and bound to exactly what was requested; requests expire.
 */
@ApplicationScoped
public class RestoreService {

  /** What someone asks to restore, and where to. */
  public record Spec(
      long imageId,
      String disk,
      Integer partition,
      long targetMachineId,
      String target,
      String reason,
      Instant windowStart,
      Instant windowEnd,
      List<String> files) {

    /**
     * A disk or partition restore; {@code files} names files and folders inside the partition's
     * filesystem for a file restore, which copies them into folder {@code target}.
     */
    public Spec(
        long imageId,
        String disk,
        Integer partition,
        long targetMachineId,
        String target,
        String reason,
        Instant windowStart,
        Instant windowEnd) {
      this(imageId, disk, partition, targetMachineId, target, reason, windowStart, windowEnd, null);
    }

    /** A request without a time window: the restore runs as soon as it is approved. */
    public Spec(
        long imageId,
        String disk,
        Integer partition,
        long targetMachineId,
        String target,
        String reason) {
      this(imageId, disk, partition, targetMachineId, target, reason, null, null, null);
    }
  }

  @Inject EntityManager em;
  @Inject Clock clock;
  @Inject AuditService audit;
  @Inject ImageService images;
  @Inject MachineService machines;
  @Inject JobService jobs;
  @Inject RestoresConfig config;
  @Inject ObjectMapper json;
  @Inject Event<RestoreEvent> events;

  @Transactional
  public RestoreRequestView request(Spec s, String requester, RequestOrigin origin) {
    ImageView image =
        images
            .get(s.imageId())
            .orElseThrow(() -> new IllegalArgumentException("No image " + s.imageId() + "."));
    MachineDetail target =
        machines
            .detail(s.targetMachineId())
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "No machine " + s.targetMachineId() + " to restore to."));
    machines.requireInService(target.id());
    if (s.target() == null || s.target().isBlank()) {
      throw new IllegalArgumentException(
          "Say which disk or file on " + target.name() + " to restore onto.");
    }
    if (s.reason() == null || s.reason().isBlank()) {
      throw new IllegalArgumentException("Give a reason: the approver needs to know why.");
    }
    Instant now = clock.instant();
    if (s.windowStart() != null
        && s.windowEnd() != null
        && !s.windowEnd().isAfter(s.windowStart())) {
      throw new IllegalArgumentException("The time window must end after it starts.");
    }
    if (s.windowEnd() != null && !s.windowEnd().isAfter(now)) {
      throw new IllegalArgumentException(
          "The time window ends in the past (" + s.windowEnd() + "); choose a later end.");
    }
    if (!target.online()) {
      throw new IllegalStateException(
          target.name() + " is offline: its worker must be running to restore onto it.");
    }
    String where = s.target().trim();
    if (jobs.diskBusy(target.id(), where)) {
      throw new IllegalStateException(
          "A backup or restore is already queued or running on "
              + where
              + " of "
              + target.name()
              + ".");
    }
    Source source = source(image, s);
    List<String> files = FilePaths.normalize(s.files());
    if (files != null) {
      requireFolder(where, target.name());
      requireListable(source, image, s);
    }
    long needed = source.neededBytes();
    for (DiskView d : files != null ? List.<DiskView>of() : target.disks()) {
      if (d.path().equals(where)) {
        if (s.partition() != null) {
          String instead = d.partitionPath(s.partition());
          throw new IllegalArgumentException(
              where
                  + " is the whole disk "
                  + d.name()
                  + " of "
                  + target.name()
                  + ": partition "
                  + s.partition()
                  + " would be written over its partition table. Name a partition"
                  + (instead == null ? "" : " (such as " + instead + ")")
                  + " or a file, or restore the whole disk.");
        }
        requireRoom(d.name() + " of " + target.name(), d.size(), needed);
      }
      Optional<Partition> p = d.partitionAt(where);
      if (p.isPresent()) {
        if (s.partition() == null) {
          throw new IllegalArgumentException(
              where
                  + " is partition "
                  + p.get().number()
                  + " of "
                  + d.name()
                  + " on "
                  + target.name()
                  + ": a whole disk does not fit into a partition. Choose a whole disk ("
                  + d.path()
                  + ") or one partition of the image.");
        }
        requireRoom(where + " of " + target.name(), p.get().length(), needed);
      }
    }
    RestorePolicy policy = new RestorePolicy(config.policy());
    RestorePolicy.Grade grade =
        files != null
            ? policy.gradeFiles(image.machineId() == target.id())
            : policy.grade(
                image.machineId() == target.id(),
                s.partition(),
                source.text("typeName"),
                source.text("name"));
    RestoreRequest r = new RestoreRequest();
    r.imageId = image.id();
    r.sourceMachineId = image.machineId();
    r.targetMachineId = target.id();
    r.diskName = s.disk();
    r.partition = s.partition();
    r.target = where;
    r.reason = s.reason().trim();
    r.risk = grade.risk();
    r.riskReasons = grade.reasons() + (files != null ? "" : inUseWarning(target, where));
    r.files = files == null ? null : String.join("\n", files);
    r.requestedBy = requester;
    r.requestedAt = now;
    r.expiresAt = now.plus(config.requestLifetime());
    r.windowStart = s.windowStart();
    r.windowEnd = s.windowEnd();
    if (r.windowEnd != null && r.windowEnd.isBefore(r.expiresAt)) {
      r.expiresAt = r.windowEnd; // an approval after the window is of no use
    }
    r.state = "pending";
    r.fingerprint = fingerprint(r);
    em.persist(r);
    em.flush();
    audit.record(
        new AuditEntry(
            requester,
            "restore.request",
            "restore-request",
            String.valueOf(r.id),
            AuditOutcome.SUCCESS,
            origin,
            overwrites(r, image, target.name())
                + " Reason: "
                + r.reason
                + ". Risk: "
                + r.risk
                + " ("
                + r.riskReasons
                + ")."));
    events.fire(new RestoreEvent(r.id, RestoreEvent.Kind.REQUESTED));
    if (grade.autoApproved()) {
      approveInternal(
          r,
          "policy",
          "approved by policy: " + grade.reasons() + " needs no approval",
          true,
          origin);
    }
    return view(r);
  }

  /**
   * A second person's yes. Refused for the requester, for anything not pending, and for anything
   * changed. A refusal still commits what it recorded: the audit event and an expiry.
   */
  @Transactional(dontRollbackOn = {IllegalStateException.class, IllegalArgumentException.class})
  public RestoreRequestView approve(
      long id,
      String approver,
      Collection<String> approverRoles,
      String comment,
      RequestOrigin origin) {
    requireApprover(approverRoles, "approve");
    RestoreRequest r = locked(id);
    refuseUnlessDecidable(r, approver, "approve", origin);
    if (!fingerprint(r).equals(r.fingerprint)) {
      audit.record(
          new AuditEntry(
              approver,
              "restore.approve",
              "restore-request",
              String.valueOf(id),
              AuditOutcome.DENIED,
              origin,
              "request changed since it was made"));
      throw new IllegalStateException(
          "Restore request "
              + id
              + " was changed after it was made; it cannot be approved. Ask for a new request.");
    }
    approveInternal(r, approver, comment, false, origin);
    return view(r);
  }

  @Transactional(dontRollbackOn = {IllegalStateException.class, IllegalArgumentException.class})
  public RestoreRequestView reject(
      long id,
      String approver,
      Collection<String> approverRoles,
      String comment,
      RequestOrigin origin) {
    requireApprover(approverRoles, "reject");
    RestoreRequest r = locked(id);
    refuseUnlessDecidable(r, approver, "reject", origin);
    r.state = "rejected";
    r.decidedBy = approver;
    r.decidedAt = clock.instant();
    r.decisionComment = comment;
    audit.record(
        new AuditEntry(
            approver,
            "restore.reject",
            "restore-request",
            String.valueOf(id),
            AuditOutcome.SUCCESS,
            origin,
            comment));
    events.fire(new RestoreEvent(r.id, RestoreEvent.Kind.REJECTED));
    return view(r);
  }

  /** The requester withdraws a pending request. */
  @Transactional
  public RestoreRequestView cancel(long id, String user, RequestOrigin origin) {
    RestoreRequest r = locked(id);
    if (!r.requestedBy.equals(user)) {
      throw new IllegalStateException(
          "Only " + r.requestedBy + ", who made the request, can withdraw it.");
    }
    if (!r.state.equals("pending")) {
      throw new IllegalStateException(
          "Restore request "
              + id
              + " is "
              + r.state
              + "; only a pending request can be withdrawn.");
    }
    r.state = "cancelled";
    r.decidedAt = clock.instant();
    audit.record(
        new AuditEntry(
            user,
            "restore.cancel",
            "restore-request",
            String.valueOf(id),
            AuditOutcome.SUCCESS,
            origin,
            null));
    return view(r);
  }

  /**
   * Pending requests to restore onto a machine that is retired are rejected, by whoever retired it,
   * with that as the comment: no worker of it would run the restore, and the requester hears of it
   * as of any rejection. Requests to restore a retired machine's images elsewhere stay.
   */
  void onMachineRetired(@Observes MachineRetired retired) {
    List<RestoreRequest> onto =
        em.createQuery(
                "from RestoreRequest where state = 'pending' and targetMachineId = :m",
                RestoreRequest.class)
            .setParameter("m", retired.machineId())
            .setLockMode(LockModeType.PESSIMISTIC_WRITE)
            .getResultList();
    for (RestoreRequest r : onto) {
      r.state = "rejected";
      r.decidedBy = retired.user();
      r.decidedAt = clock.instant();
      r.decisionComment =
          retired.name() + " was retired; ask again for a restore onto a machine in service.";
      audit.record(
          new AuditEntry(
              retired.user(),
              "restore.reject",
              "restore-request",
              String.valueOf(r.id),
              AuditOutcome.SUCCESS,
              RequestOrigin.SYSTEM,
              r.decisionComment));
      events.fire(new RestoreEvent(r.id, RestoreEvent.Kind.REJECTED));
    }
  }

  /** Expires pending requests past their deadline; returns how many. */
  @Transactional
  public int expireDue() {
    List<RestoreRequest> due =
        em.createQuery(
                "from RestoreRequest where state = 'pending' and expiresAt < :now",
                RestoreRequest.class)
            .setParameter("now", clock.instant())
            .setLockMode(LockModeType.PESSIMISTIC_WRITE)
            .getResultList();
    for (RestoreRequest r : due) {
      r.state = "expired";
      r.decidedAt = clock.instant();
      audit.record(
          new AuditEntry(
              "system",
              "restore.expire",
              "restore-request",
              String.valueOf(r.id),
              AuditOutcome.SUCCESS,
              RequestOrigin.SYSTEM,
              "no decision by " + r.expiresAt));
      events.fire(new RestoreEvent(r.id, RestoreEvent.Kind.EXPIRED));
    }
    return due.size();
  }

  /** Whether someone with these security roles may approve and reject restores. */
  public boolean mayApprove(Collection<String> roles) {
    return RestorePolicy.mayApprove(roles, config.approverRoles());
  }

  /**
   * The role names {@link #mayApprove} looks at: Holdfast's roles (helpdesk and auditor rule a
   * person out) and the configured approver roles. A caller that can only test roles one by one
   * (the UI) collects the person's roles among these.
   */
  public java.util.Set<String> decisionRoles() {
    java.util.Set<String> all = new java.util.TreeSet<>(config.approverRoles());
    for (Role r : Role.values()) {
      all.add(r.id());
    }
    return all;
  }

  @Transactional
  public Optional<RestoreRequestView> get(long id) {
    return Optional.ofNullable(em.find(RestoreRequest.class, id)).map(this::view);
  }

  /** As {@link #get}, from an observer that runs after another transaction's commit. */
  @Transactional(Transactional.TxType.REQUIRES_NEW)
  Optional<RestoreRequestView> getAfterCommit(long id) {
    return get(id);
  }

  /**
   * Requests in {@code state} (all when null), newest first. Besides the stored states, {@code
   * done} means approved with the restore job ended, {@code approved} approved with it not ended.
   */
  @Transactional
  public List<RestoreRequestView> page(String state, int offset, int limit) {
    return em
        .createQuery(
            "from RestoreRequest r where "
                + stateClause(state)
                + " order by requestedAt desc, id desc",
            RestoreRequest.class)
        .setParameter("s", state)
        .setFirstResult(offset)
        .setMaxResults(limit)
        .getResultList()
        .stream()
        .map(this::view)
        .toList();
  }

  @Transactional
  public long count(String state) {
    return em.createQuery(
            "select count(r) from RestoreRequest r where " + stateClause(state), Long.class)
        .setParameter("s", state)
        .getSingleResult();
  }

  private static String stateClause(String state) {
    String ended =
        "exists (select 1 from Job j where j.id = r.jobId"
            + " and j.state in ('succeeded', 'failed', 'cancelled'))";
    if ("done".equals(state)) {
      return "(r.state = 'approved' and " + ended + " and :s is not null)";
    }
    if ("approved".equals(state)) {
      return "(r.state = :s and not " + ended + ")";
    }
    return "(:s is null or r.state = :s)";
  }

  private void requireApprover(Collection<String> roles, String verb) {
    if (!mayApprove(roles)) {
      // also checked here, not only by the caller: the rule is the service's
      throw new NotPermitted(
          "Only an admin or an approver ("
              + String.join(", ", config.approverRoles())
              + ") can "
              + verb
              + " restores.");
    }
  }

  private void refuseUnlessDecidable(
      RestoreRequest r, String who, String verb, RequestOrigin origin) {
    if (r.requestedBy.equals(who)) {
      audit.record(
          new AuditEntry(
              who,
              "restore." + verb,
              "restore-request",
              String.valueOf(r.id),
              AuditOutcome.DENIED,
              origin,
              "requester tried to decide their own request"));
      throw new IllegalStateException(
          "You requested this restore; another person must " + verb + " it.");
    }
    if (r.state.equals("pending") && r.expiresAt.isBefore(clock.instant())) {
      r.state = "expired";
      r.decidedAt = clock.instant();
      audit.record(
          new AuditEntry(
              "system",
              "restore.expire",
              "restore-request",
              String.valueOf(r.id),
              AuditOutcome.SUCCESS,
              origin,
              null));
    }
    if (!r.state.equals("pending")) {
      throw new IllegalStateException(
          "Restore request "
              + r.id
              + " is "
              + r.state
              + "; only a pending request can be decided. "
              + (r.state.equals("expired") ? "Ask for a new request." : ""));
    }
  }

  private void approveInternal(
      RestoreRequest r, String approver, String comment, boolean automatic, RequestOrigin origin) {
    // the job first: if it cannot be queued, the request stays as it was
    long job =
        jobs.enqueueRestore(
            r.imageId,
            r.diskName,
            r.partition,
            r.targetMachineId,
            r.target,
            r.requestedBy,
            "restore request " + r.id + " approved by " + approver,
            r.windowStart,
            r.windowEnd,
            r.fileList(),
            origin);
    r.state = "approved";
    r.decidedBy = approver;
    r.decidedAt = clock.instant();
    r.decisionComment = comment;
    r.autoApproved = automatic;
    r.approvedFingerprint = r.fingerprint;
    r.jobId = job;
    audit.record(
        new AuditEntry(
            approver,
            automatic ? "restore.auto-approve" : "restore.approve",
            "restore-request",
            String.valueOf(r.id),
            AuditOutcome.SUCCESS,
            origin,
            (comment == null ? "" : comment + "; ") + "job " + r.jobId));
    events.fire(new RestoreEvent(r.id, RestoreEvent.Kind.APPROVED));
  }

  /**
   * Attaches the outcome of a restore job to its request: audited as {@code restore.outcome}, and
   * the people behind the request are told.
   */
  @Transactional(Transactional.TxType.REQUIRES_NEW) // called after another transaction's commit
  public void recordOutcome(long jobId, JobState state) {
    List<RestoreRequest> found =
        em.createQuery("from RestoreRequest where jobId = :j", RestoreRequest.class)
            .setParameter("j", jobId)
            .getResultList();
    for (RestoreRequest r : found) {
      audit.record(
          new AuditEntry(
              "system",
              "restore.outcome",
              "restore-request",
              String.valueOf(r.id),
              state == JobState.SUCCEEDED ? AuditOutcome.SUCCESS : AuditOutcome.FAILURE,
              RequestOrigin.SYSTEM,
              "restore job " + jobId + " " + state.id()));
      events.fire(new RestoreEvent(r.id, RestoreEvent.Kind.FINISHED));
    }
  }

  /**
   * "; in use when its worker last looked: …" when the target machine's worker saw the target in
   * use. It refuses to write there while it is, so the approver should know; the use may end before
   * the restore runs (a live system booted, a filesystem unmounted), so it does not refuse here.
   */
  private static String inUseWarning(MachineDetail target, String where) {
    List<String> uses = target.disks().stream().flatMap(d -> d.usesOf(where).stream()).toList();
    return uses.isEmpty()
        ? ""
        : "; in use when its worker last looked ("
            + String.join("; ", uses)
            + "): the worker will not write to it until that ends";
  }

  /** A file restore's target: a folder path, absolute, on the target machine. */
  private static void requireFolder(String where, String machine) {
    if (!where.startsWith("/")) {
      throw new IllegalArgumentException(
          "Files are copied into a folder: give its full path on "
              + machine
              + ", such as /home/alice/restored.");
    }
  }

  /**
   * Files come out of one filesystem the engine can read (ext2/3/4, XFS, btrfs, FAT, exFAT, NTFS,
   * or these in LVM logical volumes): a partition, or a disk without partitions.
   */
  private void requireListable(Source source, ImageView image, Spec s) {
    boolean partitioned = source.disk().path("layout").path("partitions").size() > 0;
    if (s.partition() == null && partitioned) {
      throw new IllegalArgumentException("Say which partition of the disk holds the files.");
    }
    int number = s.partition() == null ? 0 : s.partition();
    String fs = null;
    for (JsonNode p : source.disk().path("imaging")) {
      if (p.path("number").asInt() == number) {
        fs = p.path("filesystem").asText(null);
      }
    }
    if (!ImageFiles.listable(fs)) {
      throw new IllegalArgumentException(
          (s.partition() == null ? "The disk" : "Partition " + s.partition())
              + " of image "
              + image.manifestId()
              + " holds "
              + (fs == null ? "no filesystem the image recorded" : fs)
              + "; files can be restored from ext2/3/4, XFS, btrfs, FAT, exFAT and NTFS, and from"
              + " these in LVM logical volumes. Restore the partition instead.");
    }
  }

  private static void requireRoom(String what, long has, long needed) {
    if (has < needed) {
      throw new IllegalArgumentException(
          what
              + " holds "
              + has
              + " bytes; the restore needs "
              + needed
              + ". Choose a larger one.");
    }
  }

  private RestoreRequest locked(long id) {
    RestoreRequest r = em.find(RestoreRequest.class, id, LockModeType.PESSIMISTIC_WRITE);
    if (r == null) {
      throw new IllegalArgumentException("No restore request " + id + ".");
    }
    return r;
  }

  /** The disk, and the partition when one is chosen, of the image's layout a request restores. */
  private record Source(JsonNode disk, JsonNode partition) {

    /** Bytes the restore writes: the disk's size, or the partition's length. */
    long neededBytes() {
      return partition == null ? disk.path("size").asLong() : partition.path("length").asLong();
    }

    String text(String field) {
      return partition == null || partition.path(field).isMissingNode()
          ? null
          : partition.path(field).asText(null);
    }
  }

  private Source source(ImageView image, Spec s) {
    JsonNode disks;
    try {
      disks = json.readTree(images.disksJson(image.id()));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(
          "Image " + image.manifestId() + " has an unreadable disk list in the catalogue.");
    }
    JsonNode disk = null;
    for (JsonNode d : disks) {
      if (s.disk() == null ? disks.size() == 1 : s.disk().equals(d.path("name").asText())) {
        disk = d;
      }
    }
    if (disk == null) {
      throw new IllegalArgumentException(
          s.disk() == null
              ? "Image "
                  + image.manifestId()
                  + " holds "
                  + disks.size()
                  + " disks; say which one to restore."
              : "Image " + image.manifestId() + " has no disk " + s.disk() + ".");
    }
    if (s.partition() == null) {
      return new Source(disk, null);
    }
    for (JsonNode p : disk.path("layout").path("partitions")) {
      if (p.path("number").asInt() == s.partition()) {
        return new Source(disk, p);
      }
    }
    throw new IllegalArgumentException(
        "Disk "
            + disk.path("name").asText()
            + " of image "
            + image.manifestId()
            + " has no partition "
            + s.partition()
            + ".");
  }

  private RestoreRequestView view(RestoreRequest r) {
    ImageView image = images.get(r.imageId).orElse(null);
    String targetName = machines.nameOf(r.targetMachineId);
    String jobState =
        r.jobId == null
            ? null
            : jobs.get(r.jobId).map(JobView::state).map(s -> s.id()).orElse(null);
    boolean intact =
        fingerprint(r).equals(r.fingerprint)
            && (r.approvedFingerprint == null || r.approvedFingerprint.equals(r.fingerprint));
    return new RestoreRequestView(
        r.id,
        r.imageId,
        image == null ? "#" + r.imageId : image.manifestId(),
        machines.nameOf(r.sourceMachineId),
        r.targetMachineId,
        targetName,
        r.diskName,
        r.partition,
        r.target,
        r.reason,
        r.risk,
        r.riskReasons,
        r.requestedBy,
        r.requestedAt,
        r.expiresAt,
        r.state,
        r.decidedBy,
        r.decidedAt,
        r.decisionComment,
        r.autoApproved,
        r.jobId,
        jobState,
        overwrites(r, image, targetName),
        intact,
        r.windowStart,
        r.windowEnd,
        r.fileList());
  }

  private String overwrites(RestoreRequest r, ImageView image, String targetName) {
    if (r.files != null) {
      return "Copies "
          + String.join(", ", r.fileList())
          + (r.partition == null ? "" : " from partition " + r.partition)
          + (r.diskName == null ? "" : " of disk " + r.diskName)
          + " of "
          + (image == null
              ? "image #" + r.imageId
              : "the backup of " + image.machine() + " taken " + image.created())
          + " into the folder "
          + r.target
          + " on "
          + targetName
          + "; nothing there is overwritten."
          + window(r);
    }
    String what = r.partition == null ? "the whole disk" : "partition " + r.partition;
    String from =
        image == null
            ? "image #" + r.imageId
            : "the backup of " + image.machine() + " taken " + image.created();
    return "Everything now on "
        + r.target
        + " of "
        + targetName
        + " will be replaced by "
        + what
        + (r.diskName == null ? "" : " of disk " + r.diskName)
        + " from "
        + from
        + "."
        + window(r);
  }

  private static String window(RestoreRequest r) {
    if (r.windowStart == null && r.windowEnd == null) {
      return "";
    }
    if (r.windowEnd == null) {
      return " It will not start before " + r.windowStart + ".";
    }
    if (r.windowStart == null) {
      return " It must start by " + r.windowEnd + " or it is called off.";
    }
    return " It will start between " + r.windowStart + " and " + r.windowEnd + ".";
  }

  static String fingerprint(RestoreRequest r) {
    String canonical =
        r.imageId
            + "|"
            + r.sourceMachineId
            + "|"
            + r.targetMachineId
            + "|"
            + r.diskName
            + "|"
            + r.partition
            + "|"
            + r.target
            + "|"
            + r.requestedBy
            + "|"
            + r.reason
            // requests without a window keep the fingerprint they were approved with
            + (r.windowStart == null && r.windowEnd == null
                ? ""
                : "|" + r.windowStart + "|" + r.windowEnd)
            + (r.files == null ? "" : "|files|" + r.files);
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256")
                  .digest(canonical.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
