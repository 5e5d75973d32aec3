package io.holdfast.worker;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Cancelled;
import io.holdfast.engine.EngineException;
import io.holdfast.engine.Sizes;
import io.holdfast.engine.chunk.Compression;
import io.holdfast.engine.disk.DeviceUse;
import io.holdfast.engine.fs.FileEntry;
import io.holdfast.engine.fs.FileTree;
import io.holdfast.engine.fs.UsedBlocks;
import io.holdfast.engine.manifest.Manifest;
import io.holdfast.engine.manifest.ManifestCodec;
import io.holdfast.engine.ops.CollectGarbage;
import io.holdfast.engine.ops.CreateImage;
import io.holdfast.engine.ops.ExportImage;
import io.holdfast.engine.ops.ExtractFiles;
import io.holdfast.engine.ops.ImageFiles;
import io.holdfast.engine.ops.PruneImages;
import io.holdfast.engine.ops.RecompressPacks;
import io.holdfast.engine.ops.RestoreImage;
import io.holdfast.engine.ops.VerifyImages;
import io.holdfast.engine.store.Repository;
import io.holdfast.worker.protocol.Protocol;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The long-running worker: enrols once, reports its inventory, long-polls the console for jobs,
 * runs them with the imaging engine and streams progress, logs and results back. Survives console
 * restarts and network blips with capped exponential backoff; stops only when the console rejects
 * its credential (revoked) or it is told to stop.
 */
public final class Agent implements Runnable {

  private static final Logger LOG = Logger.getLogger(Agent.class.getName());
  private static final Duration INVENTORY_EVERY = Duration.ofMinutes(5);

  /**
   * How to run.
   *
   * @param disks disk image files to offer besides block devices
   * @param scanDevices list readable block devices too
   * @param maxJobs jobs run at once
   */
  public record Config(
      URI console,
      Path stateDir,
      String enrolToken,
      String hostname,
      List<Path> disks,
      boolean scanDevices,
      int maxJobs,
      int pollWaitSeconds,
      Path passphraseFile) {}

  private final Config config;
  private final WorkerState state;
  private final ConsoleClient client;
  private final ExecutorService jobs;
  private final Map<Long, Cancellation> running = new ConcurrentHashMap<>();
  private volatile boolean stopped;
  private volatile String stopReason;

  public Agent(Config config) {
    this.config = config;
    this.state = new WorkerState(config.stateDir());
    this.client = new ConsoleClient(config.console(), null);
    this.jobs =
        Executors.newFixedThreadPool(
            Math.max(1, config.maxJobs()),
            r -> {
              Thread t = new Thread(r, "holdfast-job");
              t.setDaemon(true);
              return t;
            });
  }

  public void stop() {
    stopped = true;
    running.values().forEach(Cancellation::cancel);
    jobs.shutdownNow();
  }

  /** Why the agent stopped by itself (credential rejected), or null. */
  public String stopReason() {
    return stopReason;
  }

  @Override
  public void run() {
    try {
      enrolIfNeeded();
    } catch (IOException e) {
      stopReason = "Enrolment failed: " + e.getMessage();
      LOG.severe(stopReason);
      return;
    }
    long backoffMs = 0;
    long nextInventory = 0;
    while (!stopped) {
      try {
        if (System.nanoTime() >= nextInventory) {
          client.post(
              "inventory",
              Inventories.collect(config.hostname(), config.disks(), config.scanDevices()),
              Void.class,
              Duration.ofSeconds(30));
          nextInventory = System.nanoTime() + INVENTORY_EVERY.toNanos();
        }
        int capacity = config.maxJobs() - running.size();
        Protocol.PollResponse r =
            client.post(
                "poll",
                new Protocol.PollRequest(
                    List.copyOf(running.keySet()), Math.max(0, capacity), config.pollWaitSeconds()),
                Protocol.PollResponse.class,
                Duration.ofSeconds(config.pollWaitSeconds() + 15L));
        backoffMs = 0;
        if (r.cancel() != null) {
          r.cancel()
              .forEach(
                  id -> {
                    Cancellation c = running.get(id);
                    if (c != null) {
                      c.cancel();
                    }
                  });
        }
        if (r.jobs() != null) {
          for (Protocol.JobOrder order : r.jobs()) {
            Cancellation c = new Cancellation();
            running.put(order.id(), c);
            jobs.execute(() -> runJob(order, c));
          }
        }
      } catch (ConsoleClient.Rejected e) {
        stopReason =
            "The console rejected this worker's credential ("
                + e.getMessage()
                + "). It was revoked or is unknown; enrol again with a new token.";
        LOG.severe(stopReason);
        stop();
        return;
      } catch (IOException e) {
        backoffMs = backoffMs == 0 ? 1000 : Math.min(30_000, backoffMs * 2);
        LOG.warning(
            "Console unreachable (" + reason(e) + "); retrying in " + backoffMs / 1000 + " s");
        sleep(backoffMs);
        nextInventory = 0;
      }
    }
  }

  /** Why the console could not be reached, in words an admin can act on. */
  static String reason(IOException e) {
    if (e instanceof javax.net.ssl.SSLHandshakeException) {
      return "this machine does not trust the console's TLS certificate: add the certificate or"
          + " its CA to the system trust store, or start the worker with"
          + " -Djavax.net.ssl.trustStore=<file> -Djavax.net.ssl.trustStorePassword=<password>;"
          + " detail: "
          + e.getMessage();
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  private void enrolIfNeeded() throws IOException {
    String credential = state.credential();
    if (credential != null) {
      client.credential(credential);
      return;
    }
    if (config.enrolToken() == null || config.enrolToken().isBlank()) {
      throw new IOException(
          "this worker is not enrolled yet: start it once with --enrol-token <token from Settings → Workers>");
    }
    long backoff = 1000;
    while (true) {
      try {
        Protocol.EnrolResponse r =
            client.post(
                "enrol",
                new Protocol.EnrolRequest(
                    config.enrolToken(), config.hostname(), WorkerMain.VERSION),
                Protocol.EnrolResponse.class,
                Duration.ofSeconds(30));
        state.saveCredential(r.credential(), r.workerId(), config.console().toString());
        client.credential(r.credential());
        LOG.info("Enrolled as worker " + r.workerId() + " of machine " + r.machine());
        return;
      } catch (ConsoleClient.Rejected e) {
        throw new IOException(e.getMessage());
      } catch (IOException e) {
        if (e.getMessage() != null && e.getMessage().contains("answered 4")) {
          throw e;
        }
        LOG.warning("Cannot reach the console to enrol (" + reason(e) + "); retrying");
        sleep(backoff);
        backoff = Math.min(30_000, backoff * 2);
      }
    }
  }

  private void runJob(Protocol.JobOrder order, Cancellation cancel) {
    JobReporter reporter = new JobReporter(client, order.id(), cancel);
    Protocol.JobResult result;
    try {
      reporter.log("info", "Starting " + order.type() + " on " + config.hostname());
      result =
          switch (order.type()) {
            case "backup" -> backup(order, reporter, cancel);
            case "verify" -> verify(order, reporter, cancel);
            case "restore" -> restore(order, reporter, cancel);
            case "restore-files" -> restoreFiles(order, reporter, cancel);
            case "list-files" -> listFiles(order);
            case "export" -> export(order, reporter, cancel);
            case "maintenance" -> maintain(order, reporter, cancel);
            case "prune" -> prune(order, reporter);
            default ->
                Protocol.JobResult.failed("This worker does not know job type " + order.type());
          };
    } catch (Cancelled e) {
      result = Protocol.JobResult.cancelled("Cancelled on request.");
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "job " + order.id() + " failed", e);
      result = Protocol.JobResult.failed(e.getMessage() == null ? e.toString() : e.getMessage());
    } catch (OutOfMemoryError e) {
      // outside the engine's chunk threads (reading a manifest, say): the job's memory is
      // unreachable now, and the worker goes on to its next job
      LOG.log(Level.WARNING, "job " + order.id() + " ran out of heap", e);
      result = Protocol.JobResult.failed(EngineException.outOfHeap(e).getMessage());
    }
    reporter.log(
        result.state().equals("succeeded") ? "info" : "error",
        "Finished: " + result.state() + (result.error() == null ? "" : " — " + result.error()));
    reporter.finish(result);
    running.remove(order.id());
    releaseJobMemory();
  }

  /**
   * Hands a finished job's native memory back. The engine's direct buffers and zstd contexts live
   * outside the heap and are freed only when a collection finds them unreachable; a worker that
   * idles between nightly jobs might not collect for hours, and would hold them all that time. With
   * glibc returning large blocks to the system (deploy/holdfast-worker.service sets MALLOC_*), this
   * keeps a running worker's resident set near what one job needs (bench/README.md, session 14).
   */
  public static void releaseJobMemory() {
    System.gc();
  }

  private Protocol.JobResult backup(
      Protocol.JobOrder o, JobReporter reporter, Cancellation cancel) {
    Repository repo = openOrInit(o.repository(), Boolean.TRUE.equals(o.encrypt()));
    List<CreateImage.DiskSpec> disks = new ArrayList<>();
    for (Protocol.DiskTarget d : o.disks()) {
      disks.add(new CreateImage.DiskSpec(Path.of(d.path()), d.name(), d.partitions()));
      changingWhileRead(d.name(), Path.of(d.path()))
          .forEach(warning -> reporter.log("warn", warning));
    }
    Manifest m =
        new CreateImage(repo, reporter, cancel)
            .run(
                new CreateImage.Options(
                    o.machine(), disks, Compression.parse(o.compression()), true, 0));
    for (Manifest.DiskImage d : m.disks()) {
      for (UsedBlocks.PartitionImaging p : d.imaging()) {
        if (p.note() == null) {
          continue;
        }
        boolean whole = p.method().equals("all-sectors");
        reporter.log(
            whole ? "warn" : "info",
            d.name()
                + ": "
                + p.where()
                + (whole ? " imaged sector by sector: " : " (" + p.filesystem() + "): ")
                + p.note());
      }
    }
    reporter.log(
        "info",
        "Image "
            + m.id()
            + ": "
            + Sizes.human(m.usedBytes())
            + " used, "
            + Sizes.human(m.storedBytes())
            + " newly stored");
    String disksJson =
        ManifestCodec.toText(m.disks().stream().map(Manifest.DiskImage::summary).toList());
    return Protocol.JobResult.of(
        new Protocol.ImageSummary(
            m.id(), m.created(), m.logicalBytes(), m.usedBytes(), m.storedBytes(), disksJson));
  }

  /**
   * Warnings for a source disk with a filesystem mounted read-write: its blocks may change while
   * the backup reads them, so the image holds each block as it was when read, not the disk at one
   * instant, and its filesystem may need a check after a restore.
   */
  static List<String> changingWhileRead(String disk, Path source) {
    return DeviceUse.of(source).stream()
        .filter(u -> u.contains(" is mounted at ") && !u.endsWith(DeviceUse.READ_ONLY))
        .map(
            u ->
                disk
                    + ": "
                    + u
                    + " read-write, so what is written during the backup may be caught half-way"
                    + " and the restored filesystem may need a check; back up from a snapshot or"
                    + " a live system for an image of one instant")
        .toList();
  }

  private Protocol.JobResult verify(
      Protocol.JobOrder o, JobReporter reporter, Cancellation cancel) {
    Repository repo = openRepository(o.repository());
    VerifyImages.Report r = new VerifyImages(repo, reporter, cancel).run(List.of(o.image()));
    StringBuilder detail = new StringBuilder();
    r.badChunks()
        .forEach(
            b ->
                detail
                    .append("chunk ")
                    .append(b.digest())
                    .append(": ")
                    .append(b.problem())
                    .append('\n'));
    r.badManifests()
        .forEach(
            b ->
                detail
                    .append("manifest ")
                    .append(b.id())
                    .append(": ")
                    .append(b.problem())
                    .append('\n'));
    reporter.log(
        r.ok() ? "info" : "error",
        r.ok() ? "All " + r.chunksChecked() + " chunks are sound" : detail.toString().strip());
    return Protocol.JobResult.of(
        new Protocol.VerifySummary(r.ok(), r.chunksChecked(), detail.toString().strip()));
  }

  private Protocol.JobResult restore(
      Protocol.JobOrder o, JobReporter reporter, Cancellation cancel) {
    Repository repo = openRepository(o.repository());
    RestoreImage.Report r =
        new RestoreImage(repo, reporter, cancel)
            .run(
                new RestoreImage.Options(
                    o.image(), o.disk(), o.partition(), Path.of(o.target()), true));
    reporter.log(
        "info",
        "Restored "
            + Sizes.human(r.bytesTotal())
            + " onto "
            + o.target()
            + ": "
            + Sizes.human(r.bytesWritten())
            + " written, "
            + Sizes.human(r.bytesSkipped())
            + " already in place");
    if (r.partitionTable() != null) {
      reporter.log(
          "warn",
          "The kernel still shows the partitions "
              + o.target()
              + " had before the restore ("
              + r.partitionTable()
              + "); run partprobe or reboot before using them.");
    }
    return Protocol.JobResult.of(
        new Protocol.RestoreSummary(r.bytesTotal(), r.bytesWritten(), r.bytesSkipped()));
  }

  /**
   * Copies the files and folders the order names out of the image into its target folder. Every
   * path is looked up before anything is copied, so a mistyped one fails the job with nothing
   * written. A file that cannot be read is left out and named, the rest copied, and the job fails
   * saying which files are missing.
   */
  private Protocol.JobResult restoreFiles(
      Protocol.JobOrder o, JobReporter reporter, Cancellation cancel) {
    if (o.target() == null || !Path.of(o.target()).isAbsolute()) {
      return Protocol.JobResult.failed(
          "The folder to copy into must be a full path on this machine, not '" + o.target() + "'.");
    }
    Repository repo = openRepository(o.repository());
    FileTree tree = ImageFiles.open(repo, o.image(), o.disk(), o.partition());
    List<FileEntry> wanted = new ArrayList<>();
    for (String path : o.files() == null ? List.<String>of() : o.files()) {
      wanted.add(tree.find(path));
    }
    if (wanted.isEmpty()) {
      return Protocol.JobResult.failed("The order names no files to restore.");
    }
    for (FileEntry e : wanted) {
      Path to = e.path().equals("/") ? null : Path.of(o.target()).resolve(e.name());
      if (to != null && Files.exists(to, LinkOption.NOFOLLOW_LINKS)) {
        return Protocol.JobResult.failed(
            to + " exists already; nothing was copied. Request the restore into another folder.");
      }
    }
    long bytes = 0;
    List<String> failed = new ArrayList<>();
    for (FileEntry e : wanted) {
      ExtractFiles.Report r = new ExtractFiles(tree, reporter, cancel).run(e, Path.of(o.target()));
      bytes += r.bytes();
      reporter.log(
          "info",
          "Copied "
              + e.path()
              + " to "
              + r.target()
              + ": "
              + r.files()
              + " files ("
              + Sizes.human(r.bytes())
              + (r.hardLinks() > 0 ? ", " + r.hardLinks() + " of them hard links" : "")
              + "), "
              + r.folders()
              + " folders, "
              + r.links()
              + " links"
              + (r.attributes() > 0 ? ", " + r.attributes() + " extended attributes" : ""));
      r.skipped().forEach(s -> reporter.log("warn", "Skipped " + s));
      r.failed().forEach(f -> reporter.log("error", "Not copied: " + f));
      failed.addAll(r.failed());
    }
    if (!failed.isEmpty()) {
      return Protocol.JobResult.failed(
          failed.size()
              + " of the files could not be read from the image and were not copied (the job log"
              + " names them); everything else is in "
              + o.target()
              + ". First: "
              + failed.get(0));
    }
    return Protocol.JobResult.of(new Protocol.RestoreSummary(bytes, bytes, 0));
  }

  /** The most entries of one folder a listing sends back; the console says there are more. */
  static final int MAX_LISTED = 5000;

  private Protocol.JobResult listFiles(Protocol.JobOrder o) {
    FileTree tree =
        ImageFiles.open(openRepository(o.repository()), o.image(), o.disk(), o.partition());
    FileEntry dir = tree.find(o.files() == null || o.files().isEmpty() ? "/" : o.files().get(0));
    List<FileEntry> all = dir.isDirectory() ? tree.list(dir) : List.of(dir);
    List<Protocol.FileItem> items = new ArrayList<>();
    for (FileEntry e : all.subList(0, Math.min(all.size(), MAX_LISTED))) {
      items.add(
          new Protocol.FileItem(
              e.name(),
              e.kind().name().toLowerCase(java.util.Locale.ROOT),
              e.size(),
              e.modified() == null ? null : e.modified().toString()));
    }
    return Protocol.JobResult.of(
        new Protocol.FileListing(dir.path(), tree.filesystem(), items, all.size() > MAX_LISTED));
  }

  private Protocol.JobResult export(
      Protocol.JobOrder o, JobReporter reporter, Cancellation cancel) {
    Repository repo = openRepository(o.repository());
    Protocol.ExportOrder how = o.export();
    ExportImage.Report r =
        new ExportImage(repo, reporter, cancel)
            .run(
                new ExportImage.Options(
                    o.image(),
                    o.disk(),
                    o.partition(),
                    ExportImage.Format.named(how == null ? "vhdx" : how.format()),
                    Path.of(o.target()),
                    how == null ? 0 : how.splitBytes()));
    List<String> files = r.files().stream().map(Path::toString).toList();
    reporter.log("info", "Wrote " + String.join(", ", files));
    return Protocol.JobResult.of(
        new Protocol.ExportSummary(r.virtualBytes(), r.dataBytes(), r.fileBytes(), files));
  }

  /** Deletes the images the console's retention let go; garbage collection frees their chunks. */
  private Protocol.JobResult prune(Protocol.JobOrder o, JobReporter reporter) {
    List<String> ids = o.prune() == null ? List.of() : o.prune();
    reporter.update("pruning", 0, ids.size());
    Repository repo = openRepository(o.repository());
    PruneImages.Deleted d = new PruneImages(repo).delete(o.machine(), ids);
    reporter.update("pruning", ids.size(), ids.size());
    d.removed().forEach(id -> reporter.log("info", "Deleted image " + id));
    d.missing().forEach(id -> reporter.log("warn", "Image " + id + " was gone already"));
    reporter.log(
        "info",
        d.removed().size()
            + " image(s) deleted; their chunks are freed by the repository's next maintenance");
    return Protocol.JobResult.of(new Protocol.PruneSummary(d.removed(), d.missing()));
  }

  /**
   * Collects the chunks no image uses, then compresses what backups stored at the fast level again
   * (docs/decisions/2026-12-01-recompression.md): a backup stays fast, and the repository still
   * ends up as small as a strongly compressed one. Damaged packs are left alone and named, and the
   * job still succeeds: verify is what says which images they hurt.
   */
  private Protocol.JobResult maintain(
      Protocol.JobOrder o, JobReporter reporter, Cancellation cancel) {
    Protocol.MaintenanceOrder m = o.maintenance();
    Repository repo = openRepository(o.repository());
    reporter.update("collecting garbage", 0, 0);
    CollectGarbage.Report gc =
        new CollectGarbage(repo, reporter).run(Duration.ofSeconds(m.graceSeconds()), false);
    reporter.log(
        "info",
        "Garbage collection: "
            + gc.chunksDeleted()
            + " unused chunk(s) deleted, "
            + Sizes.human(gc.bytesDeleted())
            + " freed; "
            + gc.chunksKept()
            + " chunk(s) in use kept, "
            + gc.chunksSpared()
            + " unused left (younger than "
            + m.graceSeconds()
            + " s, or in packs mostly in use)");
    cancel.check();
    Compression level = Compression.parse(m.compression());
    RecompressPacks.Report rc =
        new RecompressPacks(repo, reporter, cancel).run(level, m.budgetBytes(), false);
    reporter.log(
        "info",
        "Recompression at "
            + level.id()
            + ": "
            + rc.packsRewritten()
            + " pack(s), "
            + Sizes.human(rc.bytesBefore())
            + " -> "
            + Sizes.human(rc.bytesAfter())
            + (rc.packsLeft() > 0
                ? "; " + rc.packsLeft() + " pack(s) left for the next run (budget reached)"
                : ""));
    List<String> problems = new ArrayList<>(gc.problems());
    rc.problems().stream().filter(p -> !problems.contains(p)).forEach(problems::add);
    problems.forEach(p -> reporter.log("warn", p));
    return Protocol.JobResult.of(
        new Protocol.MaintenanceSummary(
            gc.chunksDeleted(),
            gc.bytesDeleted(),
            rc.packsRewritten(),
            rc.bytesBefore(),
            rc.bytesAfter(),
            rc.packsLeft(),
            repo.storedBytes(),
            problems));
  }

  /**
   * Opens the repository of a backup, making it at its first backup: encrypted with this worker's
   * passphrase when the console says the repository is to be encrypted.
   */
  private Repository openOrInit(String path, boolean encrypt) {
    Path p = Path.of(path);
    if (!Files.exists(p.resolve("config.json"))) {
      char[] passphrase = encrypt ? passphrase() : null;
      if (encrypt && passphrase == null) {
        throw new EngineException(noPassphrase(path));
      }
      return Repository.init(p, Repository.DEFAULT_CHUNK_SIZE, passphrase);
    }
    return openRepository(path);
  }

  /** Opens a repository; an encrypted one with this worker's passphrase. */
  private Repository openRepository(String path) {
    char[] passphrase = passphrase();
    if (passphrase == null && Repository.isEncrypted(Path.of(path))) {
      throw new EngineException(noPassphrase(path));
    }
    return Repository.open(Path.of(path), passphrase);
  }

  private String noPassphrase(String path) {
    return "The repository at "
        + path
        + " is encrypted and worker "
        + config.hostname()
        + " has no passphrase for it: start the worker with --passphrase-file FILE (or"
        + " HOLDFAST_REPO_PASSPHRASE). The console never holds it.";
  }

  /**
   * The passphrase of encrypted repositories: the worker's passphrase file (read at each job, so it
   * can be put in place without a restart), else HOLDFAST_REPO_PASSPHRASE; null for none.
   */
  private char[] passphrase() {
    return Repository.passphrase(config.passphraseFile());
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
