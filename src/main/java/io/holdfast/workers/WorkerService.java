package io.holdfast.workers;

import io.holdfast.audit.AuditEntry;
import io.holdfast.audit.AuditOutcome;
import io.holdfast.audit.AuditService;
import io.holdfast.machines.MachineRetired;
import io.holdfast.machines.MachineService;
import io.holdfast.machines.MachinesConfig;
import io.holdfast.platform.RequestOrigin;
import io.holdfast.worker.protocol.Protocol;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Enrolment tokens and worker credentials. Both are random 256-bit secrets of which the console
 * keeps only a SHA-256 (enough for secrets this long; a password hash buys nothing here).
 */
@ApplicationScoped
public class WorkerService {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String CREDENTIAL_PREFIX = "hfw_";
  static final java.time.Duration HEARTBEAT_GRANULARITY = java.time.Duration.ofSeconds(5);

  @Inject EntityManager em;
  @Inject Clock clock;
  @Inject AuditService audit;
  @Inject jakarta.enterprise.event.Event<WorkerRevoked> revoked;
  @Inject MachineService machines;
  @Inject WorkersConfig config;
  @Inject MachinesConfig machinesConfig;

  @Transactional
  public NewToken createToken(String note, String createdBy, RequestOrigin origin) {
    String token = "hfe_" + random();
    EnrolmentToken t = new EnrolmentToken();
    t.tokenHash = sha256(token);
    t.note = note;
    t.createdBy = createdBy;
    t.createdAt = clock.instant();
    t.expiresAt = t.createdAt.plus(config.tokenLifetime());
    em.persist(t);
    em.flush();
    audit.record(
        new AuditEntry(
            createdBy,
            "enrolment-token.create",
            "enrolment-token",
            String.valueOf(t.id),
            AuditOutcome.SUCCESS,
            origin,
            note));
    return new NewToken(t.id, token, t.expiresAt);
  }

  @Transactional
  public void expireToken(long id, String user, RequestOrigin origin) {
    EnrolmentToken t = em.find(EnrolmentToken.class, id);
    if (t == null) {
      throw new IllegalArgumentException("No enrolment token " + id + ".");
    }
    if (t.revokedAt == null && t.usedAt == null) {
      t.revokedAt = clock.instant();
      audit.record(
          new AuditEntry(
              user,
              "enrolment-token.expire",
              "enrolment-token",
              String.valueOf(id),
              AuditOutcome.SUCCESS,
              origin,
              null));
    }
  }

  /** Trades a valid token for a worker credential; the token cannot be used again. */
  @Transactional
  public Protocol.EnrolResponse enrol(Protocol.EnrolRequest req, RequestOrigin origin) {
    if (req == null || req.token() == null || req.token().isBlank()) {
      throw new IllegalArgumentException(
          "An enrolment needs a token (Settings → Workers → New token).");
    }
    if (req.hostname() == null || req.hostname().isBlank()) {
      throw new IllegalArgumentException("An enrolment needs the worker's hostname.");
    }
    Instant now = clock.instant();
    EnrolmentToken t =
        em.createQuery("from EnrolmentToken where tokenHash = :h", EnrolmentToken.class)
            .setParameter("h", sha256(req.token()))
            .setLockMode(LockModeType.PESSIMISTIC_WRITE)
            .getResultStream()
            .findFirst()
            .orElse(null);
    String problem =
        t == null
            ? "unknown"
            : t.usedAt != null
                ? "already used"
                : t.revokedAt != null
                    ? "expired by an admin"
                    : t.expiresAt.isBefore(now) ? "expired" : null;
    if (problem != null) {
      audit.record(
          new AuditEntry(
              "worker@" + req.hostname(),
              "worker.enrol",
              "enrolment-token",
              t == null ? null : String.valueOf(t.id),
              AuditOutcome.DENIED,
              origin,
              "token " + problem));
      throw new WorkerRejected(
          "This enrolment token is " + problem + ". Create a new one under Settings → Workers.");
    }
    t.usedAt = now;
    long machineId = machines.ensure(req.hostname());
    String secret = random();
    Worker w = new Worker();
    w.machineId = machineId;
    w.secretHash = sha256(secret);
    w.enrolledAt = now;
    w.enrolledWith = t.id;
    w.lastSeenAt = now;
    w.version = req.version();
    w.maxJobs = config.defaultMaxJobs();
    em.persist(w);
    em.flush();
    audit.record(
        new AuditEntry(
            "worker@" + req.hostname(),
            "worker.enrol",
            "worker",
            String.valueOf(w.id),
            AuditOutcome.SUCCESS,
            origin,
            "machine " + req.hostname() + ", token " + t.id));
    return new Protocol.EnrolResponse(
        w.id, CREDENTIAL_PREFIX + w.id + "_" + secret, req.hostname());
  }

  /** Checks a {@code Bearer} credential and records the contact. */
  @Transactional
  public WorkerIdentity authenticate(String authorization) {
    Credential c = parse(authorization);
    Worker w = em.find(Worker.class, c.workerId());
    if (w == null
        || !MessageDigest.isEqual(
            w.secretHash.getBytes(StandardCharsets.US_ASCII),
            sha256(c.secret()).getBytes(StandardCharsets.US_ASCII))) {
      throw new WorkerRejected(
          "Unknown worker credential; enrol this worker again with a new token.");
    }
    if (w.revokedAt != null) {
      throw new WorkerRejected(
          "This worker was revoked on " + w.revokedAt + "; enrol it again with a new token.");
    }
    Instant now = clock.instant();
    // A heartbeat write (and its commit to disk) on every call would cap the polls a console
    // can answer; a few seconds of staleness is nothing against a 90 s lost-worker deadline.
    if (w.lastSeenAt == null || w.lastSeenAt.isBefore(now.minus(HEARTBEAT_GRANULARITY))) {
      w.lastSeenAt = now;
      machines.seen(w.machineId);
    }
    return new WorkerIdentity(w.id, w.machineId, w.maxJobs);
  }

  /** A worker credential as sent: {@code hfw_<worker id>_<secret>}. */
  record Credential(long workerId, String secret) {}

  static Credential parse(String authorization) {
    if (authorization == null || !authorization.startsWith("Bearer " + CREDENTIAL_PREFIX)) {
      throw new WorkerRejected("Send the worker credential as 'Authorization: Bearer hfw_…'.");
    }
    String[] parts = authorization.substring("Bearer ".length()).trim().split("_", 3);
    try {
      if (parts.length < 3) {
        throw new IllegalArgumentException();
      }
      return new Credential(Long.parseLong(parts[1]), parts[2]);
    } catch (RuntimeException e) {
      throw new WorkerRejected("Malformed worker credential.");
    }
  }

  /** A retired machine's workers are revoked with it: none of them gets work or reports again. */
  void onMachineRetired(@Observes MachineRetired retired) {
    List<Long> ids =
        em.createQuery(
                "select w.id from Worker w where w.machineId = :m and w.revokedAt is null",
                Long.class)
            .setParameter("m", retired.machineId())
            .getResultList();
    for (long id : ids) {
      revoke(id, retired.user(), RequestOrigin.SYSTEM);
    }
  }

  @Transactional
  public void revoke(long workerId, String user, RequestOrigin origin) {
    Worker w = em.find(Worker.class, workerId);
    if (w == null) {
      throw new IllegalArgumentException("No worker " + workerId + ".");
    }
    if (w.revokedAt == null) {
      w.revokedAt = clock.instant();
      audit.record(
          new AuditEntry(
              user,
              "worker.revoke",
              "worker",
              String.valueOf(workerId),
              AuditOutcome.SUCCESS,
              origin,
              "machine " + machines.nameOf(w.machineId)));
      revoked.fire(new WorkerRevoked(workerId));
    }
  }

  @Transactional
  public List<TokenView> tokens(int offset, int limit) {
    Instant now = clock.instant();
    return em
        .createQuery("from EnrolmentToken order by createdAt desc", EnrolmentToken.class)
        .setFirstResult(offset)
        .setMaxResults(limit)
        .getResultList()
        .stream()
        .map(
            t ->
                new TokenView(
                    t.id,
                    t.note,
                    t.createdBy,
                    t.createdAt,
                    t.expiresAt,
                    t.usedAt,
                    t.revokedAt,
                    t.usedAt != null
                        ? "used"
                        : t.revokedAt != null || t.expiresAt.isBefore(now) ? "expired" : "valid"))
        .toList();
  }

  @Transactional
  public List<WorkerView> workers(int offset, int limit) {
    Instant cutoff = clock.instant().minus(machinesConfig.offlineAfter());
    return em
        .createQuery("from Worker order by id", Worker.class)
        .setFirstResult(offset)
        .setMaxResults(limit)
        .getResultList()
        .stream()
        .map(
            w ->
                new WorkerView(
                    w.id,
                    w.machineId,
                    machines.nameOf(w.machineId),
                    w.enrolledAt,
                    w.lastSeenAt,
                    w.version,
                    w.revokedAt,
                    w.revokedAt == null && w.lastSeenAt != null && w.lastSeenAt.isAfter(cutoff)))
        .toList();
  }

  private static String random() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(b)
        .replace('_', 'x')
        .replace('-', 'y');
  }

  static String sha256(String s) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
