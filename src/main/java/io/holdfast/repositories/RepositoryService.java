package io.holdfast.repositories;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Repositories: for now the default one, created on first use, and what maintenance found. */
@ApplicationScoped
public class RepositoryService {

  static final String DEFAULT = "default";

  @Inject EntityManager em;
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

  private static RepositoryInfo info(StorageRepository r) {
    return new RepositoryInfo(r.id, r.name, r.path, r.maxJobs, r.storedBytes, r.maintainedAt);
  }

  private String dataDir() {
    return dataDirSetting.orElseGet(() -> io.holdfast.platform.LocalSecrets.dataDir().toString());
  }
}
