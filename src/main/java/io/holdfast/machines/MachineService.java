package io.holdfast.machines;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.holdfast.audit.AuditEntry;
import io.holdfast.audit.AuditOutcome;
import io.holdfast.audit.AuditService;
import io.holdfast.engine.disk.DiskLayout;
import io.holdfast.platform.RequestOrigin;
import io.holdfast.worker.protocol.Protocol;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.NotFoundException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Machines and their disks, as their workers report them. */
@ApplicationScoped
public class MachineService {

  @Inject EntityManager em;
  @Inject Clock clock;
  @Inject ObjectMapper json;
  @Inject MachinesConfig config;
  @Inject AuditService audit;
  @Inject Event<MachineRetired> retired;

  /** The longest reason for retiring a machine that is kept. */
  public static final int REASON_MAX = 500;

  /**
   * Finds the machine of this hostname, creating it on first contact. A retired machine whose
   * worker enrols again is back in service (its images are its own again; its plans are not).
   */
  @Transactional
  public long ensure(String hostname) {
    String name = hostname == null || hostname.isBlank() ? "unnamed" : hostname.trim();
    List<Machine> found =
        em.createQuery("from Machine where name = :n", Machine.class)
            .setParameter("n", name)
            .getResultList();
    if (!found.isEmpty()) {
      Machine m = found.get(0);
      if (m.retiredAt != null) {
        audit.record(
            new AuditEntry(
                "worker@" + name,
                "machine.return",
                "machine",
                name,
                AuditOutcome.SUCCESS,
                RequestOrigin.SYSTEM,
                "a worker enrolled for it; it was retired on "
                    + m.retiredAt
                    + " by "
                    + m.retiredBy));
        m.retiredAt = null;
        m.retiredBy = null;
        m.retiredReason = null;
      }
      return m.id;
    }
    Machine m = new Machine();
    m.name = name;
    m.hostname = name;
    m.createdAt = clock.instant();
    em.persist(m);
    em.flush();
    return m.id;
  }

  /** Applies an inventory report: host facts, and the disk list replaced by what was reported. */
  @Transactional
  public void applyInventory(long machineId, Protocol.Inventory inv) {
    Machine m = em.find(Machine.class, machineId);
    Instant now = clock.instant();
    m.hostname = inv.hostname();
    m.os = inv.os();
    m.cpuCount = inv.cpus();
    m.memoryBytes = inv.memoryBytes();
    m.agentVersion = inv.version();
    m.lastSeenAt = now;
    Set<String> names = new HashSet<>();
    for (Protocol.DiskInfo d : inv.disks() == null ? List.<Protocol.DiskInfo>of() : inv.disks()) {
      names.add(d.name());
      Disk disk =
          em.createQuery("from Disk where machineId = :m and name = :n", Disk.class)
              .setParameter("m", machineId)
              .setParameter("n", d.name())
              .getResultStream()
              .findFirst()
              .orElseGet(Disk::new);
      disk.machineId = machineId;
      disk.name = d.name();
      disk.path = d.path();
      disk.sizeBytes = d.size();
      disk.layout = write(d.layout());
      disk.inUse = d.inUse() == null || d.inUse().isEmpty() ? null : String.join("\n", d.inUse());
      disk.updatedAt = now;
      if (disk.id == null) {
        em.persist(disk);
      }
    }
    em.createQuery("delete from Disk where machineId = :m and name not in :names")
        .setParameter("m", machineId)
        .setParameter("names", names.isEmpty() ? Set.of("") : names)
        .executeUpdate();
  }

  /**
   * Retires a machine that is out of service for good (scrapped, replaced, sold): its workers are
   * revoked, it leaves its plans, and its queued and running jobs end (observers of {@link
   * MachineRetired}). Its images stay, to restore onto another machine or to delete.
   */
  @Transactional
  public void retire(long machineId, String reason, String user, RequestOrigin origin) {
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException(
          "Say why the machine is retired; the reason goes into the audit trail.");
    }
    if (reason.length() > REASON_MAX) {
      throw new IllegalArgumentException("Keep the reason under " + REASON_MAX + " characters.");
    }
    Machine m = em.find(Machine.class, machineId, LockModeType.PESSIMISTIC_WRITE);
    if (m == null) {
      throw new NotFoundException("No machine " + machineId + ".");
    }
    if (m.retiredAt != null) {
      throw new IllegalStateException(
          m.name + " was retired already, on " + m.retiredAt + " by " + m.retiredBy + ".");
    }
    m.retiredAt = clock.instant();
    m.retiredBy = user;
    m.retiredReason = reason.strip();
    audit.record(
        new AuditEntry(
            user,
            "machine.retire",
            "machine",
            m.name,
            AuditOutcome.SUCCESS,
            origin,
            m.retiredReason));
    retired.fire(new MachineRetired(m.id, m.name, user));
  }

  /** Refuses, with what to do instead, to give work to a retired machine. */
  @Transactional
  public void requireInService(long machineId) {
    Machine m = em.find(Machine.class, machineId);
    if (m == null) {
      throw new IllegalArgumentException("No machine " + machineId + ".");
    }
    if (m.retiredAt != null) {
      throw new IllegalStateException(
          m.name
              + " was retired on "
              + m.retiredAt.toString().substring(0, 10)
              + " by "
              + m.retiredBy
              + "; choose a machine in service, or enrol its worker again to bring it back.");
    }
  }

  @Transactional
  public void seen(long machineId) {
    em.createQuery("update Machine set lastSeenAt = :t where id = :id")
        .setParameter("t", clock.instant())
        .setParameter("id", machineId)
        .executeUpdate();
  }

  @Transactional
  public Optional<MachineDetail> detail(long id) {
    Machine m = em.find(Machine.class, id);
    if (m == null) {
      return Optional.empty();
    }
    List<DiskView> disks =
        em
            .createQuery("from Disk where machineId = :m order by name", Disk.class)
            .setParameter("m", id)
            .getResultList()
            .stream()
            .map(
                d ->
                    new DiskView(
                        d.name,
                        d.path,
                        d.sizeBytes,
                        read(d.layout),
                        d.inUse == null ? List.of() : List.of(d.inUse.split("\n"))))
            .toList();
    return Optional.of(
        new MachineDetail(
            m.id,
            m.name,
            m.hostname,
            m.os,
            m.cpuCount,
            m.memoryBytes,
            m.agentVersion,
            online(m.lastSeenAt),
            m.lastSeenAt,
            disks,
            m.retiredAt,
            m.retiredBy,
            m.retiredReason));
  }

  @Transactional
  public String nameOf(long id) {
    Machine m = em.find(Machine.class, id);
    return m == null ? "#" + id : m.name;
  }

  /** Machines matching {@code search} (name or OS), with their last backup, newest seen first. */
  @Transactional
  public List<MachineOverview> page(String search, int offset, int limit) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                """
                select m.id, m.name, m.os, m.last_seen_at,
                       (select max(i.created_at) from image i where i.machine_id = m.id
                         and i.pruned_at is null),
                       (select j.state from job j where j.machine_id = m.id and j.type = 'backup'
                         order by j.created_at desc limit 1),
                       coalesce((select i.used_bytes from image i where i.machine_id = m.id
                         and i.pruned_at is null
                         order by i.created_at desc limit 1), 0),
                       m.retired_at
                from machine m
                where (:q = '' or lower(m.name) like :like or lower(coalesce(m.os, '')) like :like)
                order by m.retired_at is not null, m.name
                offset :off limit :lim
                """)
            .setParameter("q", search == null ? "" : search.trim())
            .setParameter("like", "%" + (search == null ? "" : search.trim().toLowerCase()) + "%")
            .setParameter("off", offset)
            .setParameter("lim", limit)
            .getResultList();
    return rows.stream()
        .map(
            r -> {
              Instant seen = instant(r[3]);
              return new MachineOverview(
                  ((Number) r[0]).longValue(),
                  (String) r[1],
                  (String) r[2],
                  online(seen),
                  seen,
                  instant(r[4]),
                  (String) r[5],
                  ((Number) r[6]).longValue(),
                  r[7] != null);
            })
        .toList();
  }

  @Transactional
  public long count(String search) {
    String q = search == null ? "" : search.trim().toLowerCase();
    return em.createQuery(
            "select count(m) from Machine m where (:q = '' or lower(m.name) like :like or lower(coalesce(m.os, '')) like :like)",
            Long.class)
        .setParameter("q", q)
        .setParameter("like", "%" + q + "%")
        .getSingleResult();
  }

  /** How many machines are in service: all but the retired. */
  @Transactional
  public long countInService() {
    return em.createQuery("select count(m) from Machine m where m.retiredAt is null", Long.class)
        .getSingleResult();
  }

  /**
   * The machines without an image newer than {@link MachinesConfig#unprotectedAfter}, those never
   * backed up first, then the longest without; at most {@code limit} of them, and how many in all.
   *
   * @param names what to show: "name (last backup 2026-11-29)" or "name (never backed up)"
   */
  public record Unprotected(long total, List<String> names, Duration after) {}

  @Transactional
  public Unprotected unprotected(int limit) {
    Instant cutoff = clock.instant().minus(config.unprotectedAfter());
    String newest =
        "(select max(i.created_at) from image i where i.machine_id = m.id and i.pruned_at is null)";
    long total =
        ((Number)
                em.createNativeQuery(
                        "select count(*) from machine m where m.retired_at is null and coalesce("
                            + newest
                            + " < :cutoff, true)")
                    .setParameter("cutoff", cutoff)
                    .getSingleResult())
            .longValue();
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                "select m.name, "
                    + newest
                    + " from machine m where m.retired_at is null and coalesce("
                    + newest
                    + " < :cutoff, true) order by 2 nulls first, m.name limit :lim")
            .setParameter("cutoff", cutoff)
            .setParameter("lim", limit)
            .getResultList();
    List<String> names =
        rows.stream()
            .map(
                r ->
                    r[0]
                        + (r[1] == null
                            ? " (never backed up)"
                            : " (last image " + instant(r[1]).toString().substring(0, 10) + ")"))
            .toList();
    return new Unprotected(total, names, config.unprotectedAfter());
  }

  boolean online(Instant lastSeen) {
    return lastSeen != null && lastSeen.isAfter(onlineSince());
  }

  /** A machine last seen after this counts as online now. */
  public Instant onlineSince() {
    return clock.instant().minus(config.offlineAfter());
  }

  private static Instant instant(Object o) {
    if (o == null) {
      return null;
    }
    if (o instanceof Instant i) {
      return i;
    }
    if (o instanceof Timestamp t) {
      return t.toInstant();
    }
    if (o instanceof java.time.OffsetDateTime odt) {
      return odt.toInstant();
    }
    throw new IllegalStateException("unexpected time type " + o.getClass());
  }

  private String write(DiskLayout layout) {
    try {
      return json.writeValueAsString(layout);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private DiskLayout read(String layout) {
    try {
      return layout == null ? DiskLayout.none(null) : json.readValue(layout, DiskLayout.class);
    } catch (JsonProcessingException e) {
      return DiskLayout.none("stored layout unreadable");
    }
  }
}
