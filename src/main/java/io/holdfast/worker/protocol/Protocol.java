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

  /**
   * A disk the worker can read.
   *
   * @param inUse what used it when the worker looked ("/dev/sda2 is mounted at /home"), or empty;
   *     null from older workers
   */
  public record DiskInfo(
      String name, String path, long size, DiskLayout layout, List<String> inUse) {}

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
   * What a maintenance job does to its repository: collect the chunks no image uses any more, then
   * compress the packs that backups stored at a fast level again, up to a budget.
   *
   * @param compression the level to recompress at (strong, max, balanced)
   * @param budgetBytes stored bytes of packs to recompress in this run, oldest first
   * @param graceSeconds unused chunks younger than this stay (a backup may be about to use them)
   */
  public record MaintenanceOrder(String compression, long budgetBytes, long graceSeconds) {}

  /**
   * What to do. {@code type} is backup, verify, restore, restore-files, export, prune or
   * maintenance; the other fields apply by type.
   *
   * @param repository path of the repository directory as the worker sees it
   * @param image manifest id (verify, restore)
   * @param target restore target path; for restore-files, the folder the files are copied into
   * @param files restore-files: the paths of files and folders inside the partition's filesystem
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
      String target,
      MaintenanceOrder maintenance,
      List<String> prune,
      ExportOrder export,
      Boolean encrypt,
      List<String> files) {

    /**
     * @param encrypt whether a repository that does not exist yet is made encrypted (with the
     *     worker's passphrase)
     */
    public static JobOrder backup(
        long id,
        String machine,
        String repository,
        List<DiskTarget> disks,
        String compression,
        boolean encrypt) {
      Draft d = new Draft(id, "backup", machine, repository);
      d.disks = disks;
      d.compression = compression;
      d.encrypt = encrypt;
      return d.order();
    }

    public static JobOrder verify(long id, String machine, String repository, String image) {
      Draft d = new Draft(id, "verify", machine, repository);
      d.image = image;
      return d.order();
    }

    public static JobOrder restore(
        long id,
        String machine,
        String repository,
        String image,
        String disk,
        Integer partition,
        String target) {
      return new Draft(id, "restore", machine, repository)
          .reading(image, disk, partition, target)
          .order();
    }

    /**
     * Copies files and folders out of the filesystem of one partition of an image (or of a disk
     * without partitions) into folder {@code target} on this machine, overwriting nothing.
     */
    public static JobOrder restoreFiles(
        long id,
        String machine,
        String repository,
        String image,
        String disk,
        Integer partition,
        String target,
        List<String> files) {
      Draft d =
          new Draft(id, "restore-files", machine, repository)
              .reading(image, disk, partition, target);
      d.files = files;
      return d.order();
    }

    /**
     * Lists one folder of the filesystem of a partition of an image (or of a disk without
     * partitions), for someone choosing files to restore.
     */
    public static JobOrder listFiles(
        long id,
        String machine,
        String repository,
        String image,
        String disk,
        Integer partition,
        String path) {
      Draft d =
          new Draft(id, "list-files", machine, repository).reading(image, disk, partition, null);
      d.files = List.of(path);
      return d.order();
    }

    /** Writes a disk of an image (or one partition) as a VHDX or raw file on this machine. */
    public static JobOrder export(
        long id,
        String machine,
        String repository,
        String image,
        String disk,
        Integer partition,
        String target,
        ExportOrder export) {
      Draft d =
          new Draft(id, "export", machine, repository).reading(image, disk, partition, target);
      d.export = export;
      return d.order();
    }

    /** Deletes these images' manifests from the repository (retention decided by the console). */
    public static JobOrder prune(long id, String machine, String repository, List<String> images) {
      Draft d = new Draft(id, "prune", machine, repository);
      d.prune = images;
      return d.order();
    }

    public static JobOrder maintenance(
        long id, String machine, String repository, MaintenanceOrder what) {
      Draft d = new Draft(id, "maintenance", machine, repository);
      d.maintenance = what;
      return d.order();
    }

    /**
     * An order being put together by one of the factories above: what every type has, and the
     * fields of its own type set; the rest stay null on the wire.
     */
    private static final class Draft {
      final long id;
      final String type;
      final String machine;
      final String repository;
      List<DiskTarget> disks;
      String compression;
      String image;
      String disk;
      Integer partition;
      String target;
      MaintenanceOrder maintenance;
      List<String> prune;
      ExportOrder export;
      Boolean encrypt;
      List<String> files;

      Draft(long id, String type, String machine, String repository) {
        this.id = id;
        this.type = type;
        this.machine = machine;
        this.repository = repository;
      }

      /** What a restore or an export reads from the image, and where it writes. */
      Draft reading(String image, String disk, Integer partition, String target) {
        this.image = image;
        this.disk = disk;
        this.partition = partition;
        this.target = target;
        return this;
      }

      JobOrder order() {
        return new JobOrder(
            id,
            type,
            machine,
            repository,
            disks,
            compression,
            image,
            disk,
            partition,
            target,
            maintenance,
            prune,
            export,
            encrypt,
            files);
      }
    }
  }

  /**
   * How an export writes its file.
   *
   * @param format vhdx, vhd (fixed) or raw
   * @param splitBytes the size of each numbered part; 0 for one file
   */
  public record ExportOrder(String format, long splitBytes) {}

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

  /**
   * What a prune job did.
   *
   * @param removed manifests deleted
   * @param missing manifests that were gone already (deleted by an admin at a shell)
   */
  public record PruneSummary(List<String> removed, List<String> missing) {}

  public record RestoreSummary(long bytesTotal, long bytesWritten, long bytesSkipped) {}

  /**
   * What an export wrote.
   *
   * @param virtualBytes the size of the disk the files hold
   * @param dataBytes bytes of data written (zero chunks are left out)
   * @param fileBytes the files' length, holes included
   * @param files the files, in order (several: parts that cat joins)
   */
  public record ExportSummary(
      long virtualBytes, long dataBytes, long fileBytes, List<String> files) {}

  /**
   * What a maintenance job did.
   *
   * @param chunksDeleted unused chunks removed by the garbage collection
   * @param bytesFreed bytes those took
   * @param packsRecompressed packs compressed again at the stronger level
   * @param bytesBefore bytes the recompressed packs' chunks took before
   * @param bytesAfter bytes the same chunks take now
   * @param packsLeft packs still at a fast level, left for the next run (the budget was reached)
   * @param storedBytes bytes the repository holds when the job ends
   * @param problems damaged packs or chunks left alone, one line each
   */
  public record MaintenanceSummary(
      long chunksDeleted,
      long bytesFreed,
      long packsRecompressed,
      long bytesBefore,
      long bytesAfter,
      long packsLeft,
      long storedBytes,
      List<String> problems) {}

  /**
   * One entry of a folder listing.
   *
   * @param kind file, directory, link or special
   * @param modified ISO-8601, or null where the filesystem keeps no time
   */
  public record FileItem(String name, String kind, long size, String modified) {}

  /**
   * A folder of an image's filesystem.
   *
   * @param path the folder, as the filesystem names it
   * @param truncated whether the folder holds more than {@code items}
   */
  public record FileListing(
      String path, String filesystem, List<FileItem> items, boolean truncated) {}

  /** {@code state}: succeeded, failed or cancelled. */
  public record JobResult(
      String state,
      String error,
      ImageSummary image,
      VerifySummary verify,
      RestoreSummary restore,
      MaintenanceSummary maintenance,
      PruneSummary prune,
      ExportSummary export,
      FileListing listing) {

    public static JobResult failed(String error) {
      return new JobResult("failed", error, null, null, null, null, null, null, null);
    }

    public static JobResult cancelled(String why) {
      return new JobResult("cancelled", why, null, null, null, null, null, null, null);
    }

    public static JobResult of(ImageSummary image) {
      return new JobResult("succeeded", null, image, null, null, null, null, null, null);
    }

    public static JobResult of(VerifySummary verify) {
      return new JobResult("succeeded", null, null, verify, null, null, null, null, null);
    }

    public static JobResult of(RestoreSummary restore) {
      return new JobResult("succeeded", null, null, null, restore, null, null, null, null);
    }

    public static JobResult of(MaintenanceSummary maintenance) {
      return new JobResult("succeeded", null, null, null, null, maintenance, null, null, null);
    }

    public static JobResult of(ExportSummary export) {
      return new JobResult("succeeded", null, null, null, null, null, null, export, null);
    }

    public static JobResult of(PruneSummary prune) {
      return new JobResult("succeeded", null, null, null, null, null, prune, null, null);
    }

    public static JobResult of(FileListing listing) {
      return new JobResult("succeeded", null, null, null, null, null, null, null, listing);
    }
  }
}
