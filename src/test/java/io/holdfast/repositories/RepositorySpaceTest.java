package io.holdfast.repositories;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositorySpaceTest {

  @TempDir Path tmp;

  @Test
  void a_repository_not_made_yet_is_measured_where_it_will_be_made() throws IOException {
    FileStore store = Files.getFileStore(tmp);
    RepositorySpace space = RepositorySpace.of(tmp.resolve("not/made/yet"));
    assertThat(space).isNotNull();
    assertThat(space.total()).isEqualTo(store.getTotalSpace());
    assertThat(space.usable()).isPositive().isLessThanOrEqualTo(space.total());
  }

  @Test
  void less_than_a_tenth_free_is_low() {
    assertThat(new RepositorySpace(9, 100).low()).isTrue();
    assertThat(new RepositorySpace(10, 100).low()).isFalse();
    assertThat(new RepositorySpace(80, 100).low()).isFalse();
    // a filesystem that reports no size says nothing about room
    assertThat(new RepositorySpace(0, 0).low()).isFalse();
  }
}
