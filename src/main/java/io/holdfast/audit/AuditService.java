package io.holdfast.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;
import jakarta.transaction.Transactional;
import jakarta.transaction.Transactional.TxType;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** Appends to and reads the hash-chained audit trail. */
@ApplicationScoped
public class AuditService {

  /** Serialises appends across every console replica so that the chain stays a chain. */
  private static final long CHAIN_LOCK = 0x486f6c64L;

  @Inject EntityManager em;
  @Inject Clock clock;

  /** Records an event in the caller's transaction: the event lands exactly when the action does. */
  @Transactional
  public void record(AuditEntry entry) {
    em.createNativeQuery("select cast(pg_advisory_xact_lock(?1) as text)")
        .setParameter(1, CHAIN_LOCK)
        .getSingleResult();
    List<?> last =
        em.createNativeQuery("select hash from audit_event order by id desc limit 1")
            .getResultList();
    AuditEvent e = new AuditEvent();
    // PostgreSQL keeps microseconds; hash what will be read back.
    e.occurredAt = clock.instant().truncatedTo(ChronoUnit.MICROS);
    e.actor = entry.actor();
    e.action = entry.action();
    e.objectType = entry.objectType();
    e.objectId = entry.objectId();
    e.outcome = entry.outcome().dbValue();
    e.sourceIp = entry.origin() == null ? null : entry.origin().ip();
    e.userAgent = entry.origin() == null ? null : truncate(entry.origin().userAgent(), 500);
    e.details = entry.details();
    e.prevHash = last.isEmpty() ? AuditChain.GENESIS : (String) last.get(0);
    e.hash = AuditChain.hash(e);
    em.persist(e);
  }

  /**
   * Recomputes every event's hash and checks each links to the one before. An edited row fails its
   * own hash; a deleted or inserted row breaks the link of the row after it.
   */
  @Transactional
  public ChainReport verifyChain() {
    String prev = AuditChain.GENESIS;
    long checked = 0;
    long afterId = 0;
    while (true) {
      List<AuditEvent> batch =
          em.createQuery("from AuditEvent e where e.id > :after order by e.id", AuditEvent.class)
              .setParameter("after", afterId)
              .setMaxResults(1000)
              .getResultList();
      if (batch.isEmpty()) {
        return new ChainReport(true, checked, null, null);
      }
      for (AuditEvent e : batch) {
        checked++;
        if (!e.prevHash.equals(prev)) {
          return new ChainReport(
              false,
              checked,
              e.id,
              "event "
                  + e.id
                  + " does not link to the event before it: an event was deleted or inserted just before it");
        }
        if (!AuditChain.hash(e).equals(e.hash)) {
          return new ChainReport(
              false, checked, e.id, "event " + e.id + " was altered after it was written");
        }
        prev = e.hash;
        afterId = e.id;
      }
      em.clear();
    }
  }

  /** An export: its bytes, media type and a file name. */
  public record Export(byte[] body, String mediaType, String filename) {}

  /**
   * All events matching {@code filter}, oldest first, as CSV or JSON; recorded as an event itself.
   */
  @Transactional
  public Export export(
      AuditFilter filter, String format, String user, io.holdfast.platform.RequestOrigin origin) {
    boolean json = "json".equalsIgnoreCase(format);
    if (!json && !"csv".equalsIgnoreCase(format)) {
      throw new IllegalArgumentException(
          "Export format must be csv or json, not '" + format + "'.");
    }
    record(
        new AuditEntry(
            user,
            "audit.export",
            null,
            null,
            AuditOutcome.SUCCESS,
            origin,
            format.toLowerCase(java.util.Locale.ROOT) + filter.describe()));
    List<AuditEventView> all = new java.util.ArrayList<>();
    for (int offset = 0; ; offset += 1000) {
      List<AuditEventView> page = page(filter, offset, 1000);
      all.addAll(page);
      if (page.size() < 1000) {
        break;
      }
    }
    java.util.Collections.reverse(all);
    String stamp = clock.instant().toString().replace(":", "").replace(".", "");
    if (json) {
      try {
        return new Export(
            JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(all),
            "application/json",
            "holdfast-audit-" + stamp + ".json");
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalStateException(e);
      }
    }
    StringBuilder csv =
        new StringBuilder(
            "id,occurred_at,actor,action,object_type,object_id,outcome,source_ip,user_agent,details,hash\r\n");
    for (AuditEventView e : all) {
      csv.append(e.id())
          .append(',')
          .append(e.occurredAt())
          .append(',')
          .append(cell(e.actor()))
          .append(',')
          .append(cell(e.action()))
          .append(',')
          .append(cell(e.objectType()))
          .append(',')
          .append(cell(e.objectId()))
          .append(',')
          .append(e.outcome().name().toLowerCase(java.util.Locale.ROOT))
          .append(',')
          .append(cell(e.sourceIp()))
          .append(',')
          .append(cell(e.userAgent()))
          .append(',')
          .append(cell(e.details()))
          .append(',')
          .append(e.hash())
          .append("\r\n");
    }
    return new Export(
        csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8),
        "text/csv",
        "holdfast-audit-" + stamp + ".csv");
  }

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      com.fasterxml.jackson.databind.json.JsonMapper.builder()
          .findAndAddModules()
          .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .build();

  /** RFC 4180 quoting; a leading formula character is defused for spreadsheets. */
  static String cell(String v) {
    if (v == null) {
      return "";
    }
    String s = v.matches("^[=+\\-@].*") ? "'" + v : v;
    boolean quote =
        s.indexOf('"') >= 0 || s.indexOf(',') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
    return quote ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  @Transactional(TxType.SUPPORTS)
  public List<AuditEventView> page(AuditFilter filter, int offset, int limit) {
    TypedQuery<AuditEvent> q =
        em.createQuery(
            "from AuditEvent e where " + where(filter) + " order by e.id desc", AuditEvent.class);
    bind(q, filter);
    return q.setFirstResult(offset).setMaxResults(limit).getResultList().stream()
        .map(AuditEvent::view)
        .toList();
  }

  @Transactional(TxType.SUPPORTS)
  public long count(AuditFilter filter) {
    TypedQuery<Long> q =
        em.createQuery("select count(e) from AuditEvent e where " + where(filter), Long.class);
    bind(q, filter);
    return q.getSingleResult();
  }

  private static String where(AuditFilter f) {
    StringBuilder w = new StringBuilder("true");
    if (present(f.actor())) {
      w.append(" and lower(e.actor) like :actor");
    }
    if (present(f.action())) {
      w.append(" and lower(e.action) like :action");
    }
    if (present(f.object())) {
      w.append(
          " and lower(concat(coalesce(e.objectType, ''), ' ', coalesce(e.objectId, '')))"
              + " like :object");
    }
    if (f.from() != null) {
      w.append(" and e.occurredAt >= :from");
    }
    if (f.to() != null) {
      w.append(" and e.occurredAt < :to");
    }
    return w.toString();
  }

  private static void bind(TypedQuery<?> q, AuditFilter f) {
    if (present(f.actor())) {
      q.setParameter("actor", "%" + f.actor().toLowerCase(java.util.Locale.ROOT) + "%");
    }
    if (present(f.action())) {
      q.setParameter("action", "%" + f.action().toLowerCase(java.util.Locale.ROOT) + "%");
    }
    if (present(f.object())) {
      q.setParameter("object", "%" + f.object().toLowerCase(java.util.Locale.ROOT).trim() + "%");
    }
    if (f.from() != null) {
      q.setParameter("from", f.from());
    }
    if (f.to() != null) {
      q.setParameter("to", f.to());
    }
  }

  private static boolean present(String s) {
    return s != null && !s.isBlank();
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
