package io.holdfast.repositories;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import java.nio.file.Path;
import java.time.Clock;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Repositories: for now the default one, created on first use. */
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
    return RepositorySpace.of(Path.of(defaultRepository().path()));
  }

  @Transactional
  public RepositoryInfo get(long id) {
    return info(em.find(StorageRepository.class, id));
  }

  private static RepositoryInfo info(StorageRepository r) {
    return new RepositoryInfo(r.id, r.name, r.path, r.maxJobs);
  }

  private String dataDir() {
    return dataDirSetting.orElseGet(() -> io.holdfast.platform.LocalSecrets.dataDir().toString());
  }
}
