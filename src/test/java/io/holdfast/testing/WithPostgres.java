package io.holdfast.testing;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * Carries the PostgreSQL test resource for every {@code @QuarkusTest} of the run, so they share one
 * database and one application start.
 */
@QuarkusTestResource(PostgresTestResource.class)
public final class WithPostgres {
  private WithPostgres() {}
}
