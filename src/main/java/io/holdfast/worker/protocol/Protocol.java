package io.holdfast.worker.protocol;

import io.holdfast.engine.disk.DiskLayout;
import java.util.List;

/**
 * The worker API ({@code /api/worker/v1}) as records: JSON bodies both sides agree on. The worker
 * authenticates every call but enrolment with {@code Authorization: Bearer <credential>}.
 */
public final class Protocol {

  public static final String BASE = "/api/worker/v1";

  private Protocol() {}

  public record EnrolRequest(String token, String hostname, String version) {}

  /** {@code credential} is shown once; the console keeps only its hash. */
  public record EnrolResponse(long workerId, String credential, String machine) {}

  public record DiskInfo(String name, String path, long size, DiskLayout layout) {}

  public record Inventory(
      String hostname,
      String os,
      int cpus,
      long memoryBytes,
      String version,
      List<DiskInfo> disks) {}

  /**
   * @param running ids of the jobs the worker is running now
   * @param capacity how many more jobs it can take
   * @param waitSeconds how long the console may hold the poll open when there is nothing to do
   */
  public record PollRequest(List<Long> running, int capacity, Integer waitSeconds) {}

  public record PollResponse(List<JobOrder> jobs, List<Long> cancel) {}

  /** A disk to image: the worker-side path, the name it is known by, optional partitions. */
  public record DiskTarget(String name, String path, List<Integer> partitions) {}

  /**
   * What to do. {@code type} is backup, verify or restore; the other fields apply by type.
   *
   * @param repository path of the repository directory as the worker sees it
   * @param image manifest id (verify, restore)
   * @param target restore target path
   */
  public record JobOrder(
      long id,
      String type,
      String machine,
      String repository,
      List<DiskTarget> disks,
      String compression,
      String image,
      String disk,
      Integer partition,
      String target) {}

  public record ProgressReport(String phase, long bytesDone, long bytesTotal, long rateBps) {}

  public record ProgressAck(boolean cancel) {}

  public record LogLine(String level, String message) {}

  public record LogLines(List<LogLine> lines) {}

  /** An image the worker created, as the catalogue records it. */
  public record ImageSummary(
      String manifestId,
      String created,
      long logicalBytes,
      long usedBytes,
      long storedBytes,
      String disksJson) {}

  public record VerifySummary(boolean sound, long chunksChecked, String detail) {}

  public record RestoreSummary(long bytesTotal, long bytesWritten, long bytesSkipped) {}

  /** {@code state}: succeeded, failed or cancelled. */
  public record JobResult(
      String state,
      String error,
      ImageSummary image,
      VerifySummary verify,
      RestoreSummary restore) {}
}
