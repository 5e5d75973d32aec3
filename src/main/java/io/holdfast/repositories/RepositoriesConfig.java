package io.holdfast.repositories;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

@ConfigMapping(prefix = "holdfast.repositories")
public interface RepositoriesConfig {

  /** Folder of the default repository; {@code <data-dir>/repository} when unset. */
  Optional<String> defaultPath();
}
