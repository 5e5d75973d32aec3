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

  private final ConcurrentHashMap<Long, Set<CompletableFuture<Boolean>>> waiting =
      new ConcurrentHashMap<>();

  /** A future completed when a job for {@code machineId} is queued. */
  public CompletableFuture<Boolean> await(long machineId) {
    CompletableFuture<Boolean> f = new CompletableFuture<>();
    waiting.computeIfAbsent(machineId, k -> ConcurrentHashMap.newKeySet()).add(f);
    f.whenComplete((v, e) -> waiting.getOrDefault(machineId, Set.of()).remove(f));
    return f;
  }

  void onQueued(@Observes(during = TransactionPhase.AFTER_SUCCESS) JobQueued event) {
    Set<CompletableFuture<Boolean>> set = waiting.get(event.machineId());
    if (set != null) {
      set.forEach(f -> f.complete(true));
    }
  }
}
