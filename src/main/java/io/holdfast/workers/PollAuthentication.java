package io.holdfast.workers;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authenticates worker polls, the console's hottest request. A credential the database accepted is
 * trusted again without a query for {@link WorkerService#HEARTBEAT_GRANULARITY}; after that the
 * database is asked again, which also writes the heartbeat. A revocation made here is felt at once;
 * one made on another console replica within that granularity.
 */
@ApplicationScoped
class PollAuthentication {

  private record Checked(byte[] secretHash, WorkerIdentity identity, long atNanos) {}

  private static final long FRESH_NANOS = WorkerService.HEARTBEAT_GRANULARITY.toNanos();

  @Inject WorkerService workers;

  private final ConcurrentHashMap<Long, Checked> checked = new ConcurrentHashMap<>();

  /**
   * The worker, when its credential was accepted by the database a moment ago; null when the
   * database must be asked. Never blocks. A malformed credential is refused at once.
   */
  WorkerIdentity recentlyChecked(String authorization) {
    WorkerService.Credential c = WorkerService.parse(authorization);
    Checked known = checked.get(c.workerId());
    if (known == null || System.nanoTime() - known.atNanos() >= FRESH_NANOS) {
      return null;
    }
    byte[] hash = WorkerService.sha256(c.secret()).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(known.secretHash(), hash) ? known.identity() : null;
  }

  /**
   * Asks the database (which also writes the heartbeat) and remembers the answer; for when {@link
   * #recentlyChecked} had none.
   */
  WorkerIdentity checkWithDatabase(String authorization) {
    long now = System.nanoTime();
    WorkerIdentity identity = workers.authenticate(authorization);
    String secret = WorkerService.parse(authorization).secret();
    byte[] hash = WorkerService.sha256(secret).getBytes(StandardCharsets.US_ASCII);
    checked.put(identity.workerId(), new Checked(hash, identity, now));
    return identity;
  }

  void onRevoked(@Observes(during = TransactionPhase.AFTER_SUCCESS) WorkerRevoked revoked) {
    checked.remove(revoked.workerId());
  }
}
