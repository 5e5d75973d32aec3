package io.holdfast.jobs;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Holds workers' long polls open and wakes them the moment a job for their machine is committed. In
 * a cluster a poll held by another replica wakes at its timeout instead; the claim itself is safe
 * across replicas either way.
 */
@ApplicationScoped
public class JobDispatcher {

  /** How long "nothing queued" is believed without asking the database again. */
  private static final long QUIET_BELIEVED_NANOS = java.time.Duration.ofSeconds(5).toNanos();

  private final ConcurrentHashMap<Long, Set<CompletableFuture<Boolean>>> waiting =
      new ConcurrentHashMap<>();

  /** Bumped for a machine whenever a job for it is committed to the queue. */
  private final ConcurrentHashMap<Long, java.util.concurrent.atomic.AtomicLong> versions =
      new ConcurrentHashMap<>();

  private record Quiet(long version, long sinceNanos) {}

  private final ConcurrentHashMap<Long, Quiet> quiet = new ConcurrentHashMap<>();

  /**
   * Whether a claim for the machine could find anything. False only when a claim found nothing
   * queued at the current version, less than a few seconds ago (jobs queued through another console
   * replica, or whose window opens, are found once that belief expires).
   */
  public boolean mayHaveWork(long machineId) {
    Quiet q = quiet.get(machineId);
    return q == null
        || q.version() != version(machineId)
        || System.nanoTime() - q.sinceNanos() > QUIET_BELIEVED_NANOS;
  }

  long version(long machineId) {
    return versions
        .computeIfAbsent(machineId, k -> new java.util.concurrent.atomic.AtomicLong())
        .get();
  }

  /**
   * Remembers that a claim which started at {@code version} found nothing queued. If a job was
   * queued meanwhile the version moved on and the belief is void.
   */
  void nothingQueued(long machineId, long version) {
    quiet.put(machineId, new Quiet(version, System.nanoTime()));
  }

  /** A future completed when a job for {@code machineId} is queued. */
  public CompletableFuture<Boolean> await(long machineId) {
    CompletableFuture<Boolean> f = new CompletableFuture<>();
    waiting.computeIfAbsent(machineId, k -> ConcurrentHashMap.newKeySet()).add(f);
    f.whenComplete((v, e) -> waiting.getOrDefault(machineId, Set.of()).remove(f));
    return f;
  }

  void onQueued(@Observes(during = TransactionPhase.AFTER_SUCCESS) JobQueued event) {
    versions
        .computeIfAbsent(event.machineId(), k -> new java.util.concurrent.atomic.AtomicLong())
        .incrementAndGet();
    quiet.remove(event.machineId());
    Set<CompletableFuture<Boolean>> set = waiting.get(event.machineId());
    if (set != null) {
      set.forEach(f -> f.complete(true));
    }
  }
}
