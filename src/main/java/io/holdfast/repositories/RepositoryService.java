package io.holdfast.repositories;

import io.holdfast.audit.AuditEntry;
import io.holdfast.audit.AuditOutcome;
import io.holdfast.audit.AuditService;
import io.holdfast.platform.RequestOrigin;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.NotFoundException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Repositories: the default one, created on first use, those admins add, and what maintenance
 * found.
 */
@ApplicationScoped
public class RepositoryService {

  static final String DEFAULT = "default";

  static final int NAME_MAX = 40;
  static final int MAX_JOBS = 64;

  @Inject EntityManager em;
  @Inject AuditService audit;
  @Inject Clock clock;
  @Inject RepositoriesConfig config;

  @ConfigProperty(name = "holdfast.data-dir")
  java.util.Optional<String> dataDirSetting;

  /** The repository backups go to unless a plan says otherwise. */
  @Transactional
  public RepositoryInfo defaultRepository() {
    StorageRepository r =
        em.createQuery("from StorageRepository where name = :n", StorageRepository.class)
            .setParameter("n", DEFAULT)
            .getResultStream()
            .findFirst()
            .orElseGet(
                () -> {
                  StorageRepository n = new StorageRepository();
                  n.name = DEFAULT;
                  n.path =
                      config
                          .defaultPath()
                          .orElse(Path.of(dataDir(), "repository").toAbsolutePath().toString());
                  n.maxJobs = 4;
                  n.createdAt = clock.instant();
                  em.persist(n);
                  return n;
                });
    return info(r);
  }

  /** Room left where the default repository lives; null when it cannot be read. */
  public RepositorySpace defaultSpace() {
    return space(defaultRepository());
  }

  /** The repository, or null when there is none with this id. */
  @Transactional
  public RepositoryInfo get(long id) {
    StorageRepository r = em.find(StorageRepository.class, id);
    return r == null ? null : info(r);
  }

  /** Every repository, the default one first made if there is none yet. */
  @Transactional
  public List<RepositoryInfo> all() {
    defaultRepository();
    return em.createQuery("from StorageRepository order by name", StorageRepository.class)
        .getResultStream()
        .map(RepositoryService::info)
        .toList();
  }

  /** What a maintenance job that succeeded measured: the repository's chunk data on disk. */
  @Transactional
  public void recordMaintenance(long id, long storedBytes, Instant at) {
    StorageRepository r = em.find(StorageRepository.class, id);
    r.storedBytes = storedBytes;
    r.maintainedAt = at;
  }

  /** Room left on the filesystem that holds the repository; null when it cannot be read. */
  public RepositorySpace space(RepositoryInfo r) {
    return RepositorySpace.of(Path.of(r.path()));
  }

  /** Adds a repository; a worker makes it in its folder with the first backup that goes there. */
  @Transactional
  public RepositoryInfo create(RepositorySpec spec, String user, RequestOrigin origin) {
    defaultRepository();
    StorageRepository r = new StorageRepository();
    apply(r, spec, null);
    r.encrypted = Boolean.TRUE.equals(spec.encrypted());
    r.createdAt = clock.instant();
    em.persist(r);
    em.flush();
    audit.record(
        new AuditEntry(
            user,
            "repository.create",
            "repository",
            r.name,
            AuditOutcome.SUCCESS,
            origin,
            describe(r)));
    return info(r);
  }

  /**
   * Renames a repository or changes its job limit. Its folder changes only while nothing is stored
   * there: the catalogue's images would point at a folder without them.
   */
  @Transactional
  public RepositoryInfo update(long id, RepositorySpec spec, String user, RequestOrigin origin) {
    StorageRepository r = find(id);
    String before = describe(r);
    String path = r.path;
    apply(r, spec, id);
    if (spec.encrypted() != null && spec.encrypted() != r.encrypted) {
      throw new IllegalArgumentException(
          "Encryption is chosen when a repository is added; add a new repository "
              + (spec.encrypted() ? "with" : "without")
              + " it instead.");
    }
    if (!r.path.equals(path)) {
      long images = count("select count(*) from image where repository_id = :r", id);
      if (images > 0) {
        throw new IllegalStateException(
            "Repository "
                + r.name
                + " holds "
                + images
                + " image(s) in "
                + path
                + "; a new folder would lose them. Keep the folder, or add a new repository for"
                + " the new one.");
      }
    }
    audit.record(
        new AuditEntry(
            user,
            "repository.update",
            "repository",
            r.name,
            AuditOutcome.SUCCESS,
            origin,
            "was: " + before + "; now: " + describe(r)));
    return info(r);
  }

  /**
   * Removes a repository nothing ever used: no image, no job, no plan. Its folder is left alone.
   */
  @Transactional
  public void delete(long id, String user, RequestOrigin origin) {
    StorageRepository r = find(id);
    if (DEFAULT.equals(r.name)) {
      throw new IllegalStateException(
          "The default repository stays: backups without a plan go there.");
    }
    long plans = count("select count(*) from plan where repository_id = :r", id);
    long images = count("select count(*) from image where repository_id = :r", id);
    long jobs = count("select count(*) from job where repository_id = :r", id);
    if (plans > 0 || images > 0 || jobs > 0) {
      throw new IllegalStateException(
          "Repository "
              + r.name
              + " is in use ("
              + plans
              + " plan(s), "
              + images
              + " image(s), "
              + jobs
              + " job(s)) and stays; only a repository nothing used can be removed.");
    }
    em.remove(r);
    audit.record(
        new AuditEntry(
            user,
            "repository.delete",
            "repository",
            r.name,
            AuditOutcome.SUCCESS,
            origin,
            describe(r) + "; its folder was left as it was"));
  }

  private StorageRepository find(long id) {
    StorageRepository r = em.find(StorageRepository.class, id);
    if (r == null) {
      throw new NotFoundException("No repository " + id + ".");
    }
    return r;
  }

  private void apply(StorageRepository r, RepositorySpec spec, Long self) {
    if (spec == null) {
      throw new IllegalArgumentException(
          "Send the repository as JSON: name, path, and optionally maxJobs.");
    }
    String name = spec.name() == null ? "" : spec.name().trim();
    if (!name.matches("[A-Za-z0-9._-]{1," + NAME_MAX + "}")) {
      throw new IllegalArgumentException(
          "A repository's name is 1 to "
              + NAME_MAX
              + " letters, digits, dots, dashes or underscores, e.g. nas-1; not '"
              + name
              + "'.");
    }
    List<Long> same =
        em.createQuery(
                "select r.id from StorageRepository r where lower(r.name) = lower(:n)", Long.class)
            .setParameter("n", name)
            .getResultList();
    if (same.stream().anyMatch(other -> !other.equals(self))) {
      throw new IllegalStateException(
          "A repository named '" + name + "' exists already; choose another name.");
    }
    if (self != null && DEFAULT.equals(r.name) && !DEFAULT.equals(name)) {
      throw new IllegalArgumentException(
          "The default repository keeps its name: backups without a plan go there by it.");
    }
    String path = spec.path() == null ? "" : spec.path().trim();
    if (!path.startsWith("/") || path.contains("\0")) {
      throw new IllegalArgumentException(
          "A repository's path is an absolute folder as its workers see it, such as"
              + " /mnt/nas/holdfast; not '"
              + path
              + "'.");
    }
    int maxJobs = spec.maxJobs() == null ? 4 : spec.maxJobs();
    if (maxJobs < 1 || maxJobs > MAX_JOBS) {
      throw new IllegalArgumentException(
          "Jobs at once is 1 to " + MAX_JOBS + "; " + maxJobs + " is not.");
    }
    r.name = name;
    r.path = Path.of(path).normalize().toString();
    r.maxJobs = maxJobs;
  }

  private long count(String sql, long repositoryId) {
    return ((Number) em.createNativeQuery(sql).setParameter("r", repositoryId).getSingleResult())
        .longValue();
  }

  private static String describe(StorageRepository r) {
    return r.name
        + " at "
        + r.path
        + ", "
        + r.maxJobs
        + " jobs at once"
        + (r.encrypted ? ", encrypted" : "");
  }

  private static RepositoryInfo info(StorageRepository r) {
    return new RepositoryInfo(
        r.id, r.name, r.path, r.maxJobs, r.storedBytes, r.maintainedAt, r.encrypted);
  }

  private String dataDir() {
    return dataDirSetting.orElseGet(() -> io.holdfast.platform.LocalSecrets.dataDir().toString());
  }
}
