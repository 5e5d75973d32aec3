package io.holdfast.engine.ops;

import io.holdfast.engine.EngineException;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.store.Repository;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Applies a retention to one machine's images. Only manifests are removed; the chunks they alone
 * used are freed by the next garbage collection.
 */
public final class PruneImages {

  public record Report(List<Retention.Decision> decisions, boolean dryRun) {
    public List<String> removed() {
      return decisions.stream().filter(d -> !d.keep()).map(d -> d.item().id()).toList();
    }
  }

  private final Repository repo;

  public PruneImages(Repository repo) {
    this.repo = repo;
  }

  /** What {@link #delete} did: the manifests it deleted, and those that were gone already. */
  public record Deleted(List<String> removed, List<String> missing) {}

  /**
   * Deletes the named images of one machine, as decided elsewhere (the console applies a plan's
   * retention to its catalogue, where it also knows which images a restore still needs). An id that
   * names another machine's image is refused before anything is deleted; their chunks go at the
   * next garbage collection.
   */
  public Deleted delete(String machine, List<String> ids) {
    Map<String, Repository.ManifestRef> refs = new HashMap<>();
    for (Repository.ManifestRef ref : repo.listManifests()) {
      refs.put(ref.id(), ref);
    }
    for (String id : ids) {
      Repository.ManifestRef ref = refs.get(id);
      if (ref != null && !ref.machine().equals(machine)) {
        throw new EngineException(
            "Image "
                + id
                + " belongs to "
                + ref.machine()
                + ", not "
                + machine
                + "; nothing deleted.");
      }
    }
    List<String> removed = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (String id : ids) {
      Repository.ManifestRef ref = refs.get(id);
      if (ref == null) {
        missing.add(id);
      } else {
        repo.deleteManifest(ref);
        removed.add(id);
      }
    }
    return new Deleted(removed, missing);
  }

  public Report run(String machine, Retention retention, ZoneId zone, boolean dryRun) {
    Map<String, Repository.ManifestRef> refs = new HashMap<>();
    List<Retention.Item> items = new ArrayList<>();
    for (Repository.ManifestRef ref : repo.listManifests()) {
      if (!ref.machine().equals(machine)) {
        continue;
      }
      Manifest m;
      try {
        m = repo.readManifest(ref);
      } catch (EngineException e) {
        throw new EngineException(
            "Cannot prune " + machine + ": " + e.getMessage() + " Repair or remove it first.");
      }
      refs.put(m.id(), ref);
      items.add(new Retention.Item(m.id(), m.createdAt()));
    }
    List<Retention.Decision> decisions = retention.apply(items, zone);
    if (!dryRun) {
      decisions.stream()
          .filter(d -> !d.keep())
          .forEach(d -> repo.deleteManifest(refs.get(d.item().id())));
    }
    return new Report(decisions, dryRun);
  }
}
