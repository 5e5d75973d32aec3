package io.holdfast.plans;

import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

@Entity
@Table(name = "plan")
class Plan {

  @Id
  @GeneratedValue(strategy = GenerationType.IDENTITY)
  Long id;

  @Column(nullable = false)
  String name;

  /** The machines it backs up (plan_machine); each gets its own backup job per due time. */
  @ElementCollection(fetch = FetchType.EAGER)
  @CollectionTable(name = "plan_machine", joinColumns = @JoinColumn(name = "plan_id"))
  @Column(name = "machine_id")
  Set<Long> machineIds = new HashSet<>();

  /** The one disk to back up (a plan of one machine only), or null for every disk. */
  @Column(name = "disk_name")
  String diskName;

  @Column(name = "repository_id", nullable = false)
  Long repositoryId;

  /** Unix cron, or null for a plan that backs up only when its machines are online. */
  String schedule;

  /**
   * When set: a machine of the plan that is online and whose newest backup job of the plan is older
   * than this many hours (or that has none) is backed up at once; null for off.
   */
  @Column(name = "online_every_hours")
  Integer onlineEveryHours;

  @Column(name = "time_zone", nullable = false)
  String timeZone;

  @Column(name = "verify_after", nullable = false)
  boolean verifyAfter;

  @Column(nullable = false)
  boolean enabled = true;

  // retention after each backup: how many to keep by each rule; all 0 keeps every image
  @Column(name = "keep_last")
  int keepLast;

  @Column(name = "keep_hourly")
  int keepHourly;

  @Column(name = "keep_daily")
  int keepDaily;

  @Column(name = "keep_weekly")
  int keepWeekly;

  @Column(name = "keep_monthly")
  int keepMonthly;

  @Column(name = "keep_yearly")
  int keepYearly;

  /** How often a failed scheduled backup is queued again (0 = never), and how long after. */
  @Column(nullable = false)
  int retries = PlanSpec.DEFAULT_RETRIES;

  @Column(name = "retry_wait_minutes", nullable = false)
  int retryWaitMinutes = PlanSpec.DEFAULT_RETRY_WAIT_MINUTES;

  /** none, fast or balanced: the zstd level of its backups. */
  @Column(nullable = false)
  String compression = "fast";

  @Column(name = "created_by", nullable = false)
  String createdBy;

  @Column(name = "created_at", nullable = false)
  Instant createdAt;

  @Column(name = "updated_at", nullable = false)
  Instant updatedAt;

  /** The due time it last queued a backup for, or passed over; null before its first. */
  @Column(name = "last_due_at")
  Instant lastDueAt;
}
