package io.holdfast.maintenance;

import io.holdfast.engine.chunk.Compression;
import io.holdfast.images.ImageService;
import io.holdfast.jobs.JobService;
import io.holdfast.platform.RequestOrigin;
import io.holdfast.repositories.RepositoryInfo;
import io.holdfast.repositories.RepositoryService;
import io.holdfast.repositories.RepositorySpace;
import io.holdfast.worker.protocol.Protocol;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Keeps repositories small and clean: queues a maintenance job for each repository when the
 * schedule falls due, or when a person asks. A worker that uses the repository runs it: garbage
 * collection, then recompression of what backups stored at the fast level. In the same window,
 * images that were never verified, or not for a month, are verified again.
 */
@ApplicationScoped
@Startup
public class MaintenanceService {

  private static final Logger LOG = Logger.getLogger(MaintenanceService.class);

  /** Images looked at per repository and run; a run rarely gets through more within its budget. */
  private static final int VERIFIES_MAX = 1000;

  @Inject JobService jobs;
  @Inject ImageService images;
  @Inject RepositoryService repositories;
  @Inject MaintenanceConfig config;
  @Inject Clock clock;

  private MaintenanceSchedule schedule;
  private Protocol.MaintenanceOrder order;

  /** A setting that cannot work stops the console at start, not at three in the morning. */
  @PostConstruct
  void readSettings() {
    schedule =
        new MaintenanceSchedule(
            config.schedule(), MaintenanceSchedule.zone(config.zone()), config.window());
    Compression level;
    try {
      level = Compression.parse(config.compression());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("holdfast.maintenance.compression: " + e.getMessage(), e);
    }
    if (level == Compression.NONE || level == Compression.FAST) {
      throw new IllegalArgumentException(
          "holdfast.maintenance.compression must be stronger than what backups use (fast):"
              + " balanced, strong or max.");
    }
    long budget = config.recompressBudget().asLongValue();
    if (budget <= 0) {
      throw new IllegalArgumentException(
          "holdfast.maintenance.recompress-budget must be positive, e.g. 50G.");
    }
    if (config.gcGrace().isNegative()) {
      throw new IllegalArgumentException(
          "holdfast.maintenance.gc-grace must not be negative, e.g. PT24H.");
    }
    order = new Protocol.MaintenanceOrder(level.id(), budget, config.gcGrace().toSeconds());
    if (!config.reverifyAfter().isPositive()) {
      throw new IllegalArgumentException(
          "holdfast.maintenance.reverify-after must be positive, e.g. P30D; to stop verifying"
              + " images on the schedule, set holdfast.maintenance.reverify=false.");
    }
    if (config.reverifyBudget().asLongValue() <= 0) {
      throw new IllegalArgumentException(
          "holdfast.maintenance.reverify-budget must be positive, e.g. 200G.");
    }
    if (config.scheduled()) {
      LOG.infof("Repository maintenance runs on schedule %s", schedule);
    }
  }

  /**
   * Queues the maintenance whose window holds {@code now}, once per repository; returns how many
   * were queued.
   */
  public int queueDue(Instant now) {
    Optional<Instant> due = schedule.dueAt(now);
    if (due.isEmpty()) {
      return 0;
    }
    Instant until = due.get().plus(schedule.window());
    int queued = 0;
    for (RepositoryInfo r : repositories.all()) {
      if (jobs.enqueueDueMaintenance(r.id(), due.get(), until, order).isPresent()) {
        queued++;
      }
    }
    return queued;
  }

  /**
   * Queues, for the window that holds {@code now}, a verify of each image of each repository that
   * was never verified or not since the re-verify age, the longest unverified first, up to the
   * budget of used bytes per repository; each image once per due time. Returns how many were
   * queued.
   */
  public int queueDueVerifies(Instant now) {
    if (!config.reverify()) {
      return 0;
    }
    Optional<Instant> due = schedule.dueAt(now);
    if (due.isEmpty()) {
      return 0;
    }
    Instant until = due.get().plus(schedule.window());
    Instant before = due.get().minus(config.reverifyAfter());
    long budget = config.reverifyBudget().asLongValue();
    int queued = 0;
    for (RepositoryInfo r : repositories.all()) {
      if (jobs.dueVerifiesQueued(r.id(), due.get())) {
        continue;
      }
      long taken = 0;
      List<JobService.DueVerify> wanted = new ArrayList<>();
      for (ImageService.VerifyDue d : images.dueForVerify(r.id(), before, VERIFIES_MAX)) {
        if (!wanted.isEmpty() && taken + d.usedBytes() > budget) {
          break;
        }
        taken += d.usedBytes();
        wanted.add(
            new JobService.DueVerify(
                d.id(),
                d.lastVerified() == null
                    ? "scheduled verify: never verified"
                    : "scheduled verify: last verified " + d.lastVerified()));
      }
      if (wanted.isEmpty()) {
        continue;
      }
      int here = jobs.enqueueDueVerifies(r.id(), due.get(), until, wanted).size();
      if (here > 0) {
        LOG.infof(
            "Queued %d scheduled verify job(s) for repository %s (%d used bytes)",
            here, r.name(), taken);
      }
      queued += here;
    }
    return queued;
  }

  /** Queues maintenance of a repository now, for a person; returns the job's id. */
  public long runNow(long repositoryId, String user, String cause, RequestOrigin origin) {
    return jobs.enqueueMaintenance(repositoryId, order, user, cause, null, null, origin);
  }

  /** How the schedule verifies images again; empty when it does not. */
  public Optional<Reverify> reverify() {
    return config.reverify()
        ? Optional.of(
            new Reverify(config.reverifyAfter().toDays(), config.reverifyBudget().asLongValue()))
        : Optional.empty();
  }

  /** Images not verified for {@code afterDays} are verified again, up to this many used bytes. */
  public record Reverify(long afterDays, long budgetBytes) {}

  /** What maintenance does when it runs. */
  public Protocol.MaintenanceOrder order() {
    return order;
  }

  public List<RepositoryStatus> statuses() {
    Instant next = config.scheduled() ? schedule.next(clock.instant()).orElse(null) : null;
    return repositories.all().stream()
        .map(
            r -> {
              RepositorySpace space = repositories.space(r);
              return new RepositoryStatus(
                  r.id(),
                  r.name(),
                  r.path(),
                  space == null ? null : space.usable(),
                  space == null ? null : space.total(),
                  r.storedBytes(),
                  r.maintainedAt(),
                  jobs.lastMaintenance(r.id()).orElse(null),
                  next);
            })
        .toList();
  }
}
