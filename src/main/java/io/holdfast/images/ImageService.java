package io.holdfast.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.holdfast.worker.protocol.Protocol;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The image catalogue: what exists where, how big, verified when. */
@ApplicationScoped
public class ImageService {

  private static final String SELECT =
      "select new io.holdfast.images.ImageView(i.id, i.machineId, "
          + "(select m.name from Machine m where m.id = i.machineId), "
          + "i.repositoryId, i.manifestId, i.createdAt, i.logicalBytes, i.usedBytes, i.storedBytes, "
          + "i.verifiedAt, i.verifyStatus, i.verifyDetail) from Image i ";

  @Inject EntityManager em;
  @Inject Clock clock;
  @Inject ObjectMapper json;

  /** Adds a new image reported by a worker; returns its catalogue id. */
  @Transactional
  public long record(long machineId, long repositoryId, Protocol.ImageSummary s) {
    Image i = new Image();
    i.machineId = machineId;
    i.repositoryId = repositoryId;
    i.manifestId = s.manifestId();
    i.createdAt = s.created() == null ? clock.instant() : Instant.parse(s.created());
    i.logicalBytes = s.logicalBytes();
    i.usedBytes = s.usedBytes();
    i.storedBytes = s.storedBytes();
    i.disks = s.disksJson() == null ? "[]" : s.disksJson();
    em.persist(i);
    em.flush();
    return i.id;
  }

  @Transactional
  public void recordVerify(long imageId, Protocol.VerifySummary v) {
    Image i = em.find(Image.class, imageId);
    i.verifiedAt = clock.instant();
    i.verifyStatus = v.sound() ? "sound" : "damaged";
    i.verifyDetail = v.detail();
  }

  @Transactional
  public Optional<ImageView> get(long id) {
    return em.createQuery(SELECT + "where i.id = :id and i.prunedAt is null", ImageView.class)
        .setParameter("id", id)
        .getResultStream()
        .findFirst();
  }

  @Transactional
  public Optional<ImageView> latest(long machineId) {
    return em.createQuery(
            SELECT + "where i.machineId = :m and i.prunedAt is null order by i.createdAt desc",
            ImageView.class)
        .setParameter("m", machineId)
        .setMaxResults(1)
        .getResultStream()
        .findFirst();
  }

  /** Images of one machine, or of all when {@code machineId} is null; newest first. */
  @Transactional
  public List<ImageView> page(Long machineId, int offset, int limit) {
    return em.createQuery(
            SELECT
                + "where (:m is null or i.machineId = :m) and i.prunedAt is null"
                + " order by i.createdAt desc",
            ImageView.class)
        .setParameter("m", machineId)
        .setFirstResult(offset)
        .setMaxResults(limit)
        .getResultList();
  }

  @Transactional
  public long count(Long machineId) {
    return em.createQuery(
            "select count(i) from Image i where (:m is null or i.machineId = :m)"
                + " and i.prunedAt is null",
            Long.class)
        .setParameter("m", machineId)
        .getSingleResult();
  }

  /** An image a plan's retention weighs: whether a restore or job still needs it. */
  public record Candidate(long id, String manifestId, Instant created, boolean needed) {}

  /** Whether image {@code i} is needed: see {@link #candidates}. */
  private static final String NEEDED =
      """
      exists (select 1 from restore_request r where r.image_id = i.id
                and r.state in ('pending', 'approved')
                and (r.job_id is null or exists (select 1 from job j
                     where j.id = r.job_id
                       and j.state in ('queued', 'assigned', 'running'))))
      or exists (select 1 from job j where j.image_id = i.id and j.type <> 'backup'
                and j.state in ('queued', 'assigned', 'running'))
      """;

  /** Whether a pending or approved restore, or an unfinished job, needs the image. */
  @Transactional
  public boolean needed(long imageId) {
    return (Boolean)
        em.createNativeQuery("select " + NEEDED + " from image i where i.id = :id")
            .setParameter("id", imageId)
            .getSingleResult();
  }

  /**
   * The machine's images in the repository, not yet pruned, oldest first. An image is needed while
   * a restore request for it is pending or approved, or a job that reads it has not ended.
   */
  @Transactional
  public List<Candidate> candidates(long machineId, long repositoryId) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                """
                select i.id, i.manifest_id, i.created_at,
                """
                    + NEEDED
                    + """
                from image i
                where i.machine_id = :m and i.repository_id = :r and i.pruned_at is null
                order by i.created_at, i.id
                """)
            .setParameter("m", machineId)
            .setParameter("r", repositoryId)
            .getResultList();
    return rows.stream()
        .map(
            r ->
                new Candidate(
                    ((Number) r[0]).longValue(), (String) r[1], instant(r[2]), (Boolean) r[3]))
        .toList();
  }

  /**
   * An image due for another verify.
   *
   * @param lastVerified null when it was never verified
   * @param usedBytes what verifying it reads and checks, about
   */
  public record VerifyDue(
      long id, String manifestId, Instant created, Instant lastVerified, long usedBytes) {}

  /**
   * The repository's images, not pruned, that were never verified or last verified before {@code
   * before}: those never verified first, oldest first, then the longest unverified. Images with a
   * verify queued or running are left out.
   */
  @Transactional
  public List<VerifyDue> dueForVerify(long repositoryId, Instant before, int limit) {
    @SuppressWarnings("unchecked")
    List<Object[]> rows =
        em.createNativeQuery(
                """
                select i.id, i.manifest_id, i.created_at, i.verified_at, i.used_bytes
                from image i
                where i.repository_id = :r and i.pruned_at is null
                  and (i.verified_at is null or i.verified_at < :before)
                  and not exists (select 1 from job j where j.image_id = i.id and j.type = 'verify'
                                    and j.state in ('queued', 'assigned', 'running'))
                order by i.verified_at nulls first, i.created_at, i.id
                limit :lim
                """)
            .setParameter("r", repositoryId)
            .setParameter("before", before)
            .setParameter("lim", limit)
            .getResultList();
    return rows.stream()
        .map(
            r ->
                new VerifyDue(
                    ((Number) r[0]).longValue(),
                    (String) r[1],
                    instant(r[2]),
                    r[3] == null ? null : instant(r[3]),
                    ((Number) r[4]).longValue()))
        .toList();
  }

  private static Instant instant(Object column) {
    return switch (column) {
      case Instant i -> i;
      case java.time.OffsetDateTime o -> o.toInstant();
      case java.sql.Timestamp t -> t.toInstant();
      default -> throw new IllegalStateException("not a time: " + column);
    };
  }

  /** Marks the images whose manifests a prune job deleted (or found gone); returns how many. */
  @Transactional
  public int markPruned(long machineId, long repositoryId, List<String> manifestIds) {
    if (manifestIds.isEmpty()) {
      return 0;
    }
    return em.createQuery(
            "update Image i set i.prunedAt = :now where i.machineId = :m and i.repositoryId = :r"
                + " and i.manifestId in :ids and i.prunedAt is null")
        .setParameter("now", clock.instant())
        .setParameter("m", machineId)
        .setParameter("r", repositoryId)
        .setParameter("ids", manifestIds)
        .executeUpdate();
  }

  /**
   * An image's disks, in the order it holds them, with their partitions; empty when the catalogue's
   * record of them cannot be read (the restore service says why when a request is made).
   */
  @Transactional
  public List<ImageDisk> disks(long imageId) {
    try {
      List<ImageDisk> disks = new ArrayList<>();
      for (JsonNode d : json.readTree(disksJson(imageId))) {
        Map<Integer, String> filesystems = new HashMap<>();
        for (JsonNode p : d.path("imaging")) {
          String fs = p.path("filesystem").asText("");
          filesystems.put(p.path("number").asInt(), fs.equals("unknown") ? "" : fs);
        }
        List<ImageDisk.Part> parts = new ArrayList<>();
        for (JsonNode p : d.path("layout").path("partitions")) {
          int n = p.path("number").asInt();
          parts.add(
              new ImageDisk.Part(
                  n,
                  p.path("typeName").asText(""),
                  p.path("name").asText(""),
                  p.path("length").asLong(),
                  filesystems.getOrDefault(n, "")));
        }
        disks.add(new ImageDisk(d.path("name").asText(), d.path("size").asLong(), parts));
      }
      return disks;
    } catch (IOException e) {
      return List.of();
    }
  }

  /** The disks JSON of an image (layout and imaging per disk), for the detail views. */
  @Transactional
  public String disksJson(long imageId) {
    Image i = em.find(Image.class, imageId);
    return i == null ? "[]" : i.disks;
  }
}
