package io.holdfast.worker;

import io.holdfast.engine.Cancellation;
import io.holdfast.engine.Progress;
import io.holdfast.worker.protocol.Protocol;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;

/**
 * Streams one job's progress (at most twice a second), log lines and result to the console.
 * Progress lost to a network blip is simply superseded by the next; the result is retried until the
 * console takes it, so a console restart mid-job does not lose the outcome.
 */
final class JobReporter implements Progress {

  private static final Logger LOG = Logger.getLogger(JobReporter.class.getName());
  private final ConsoleClient client;
  private final long jobId;
  private final Cancellation cancel;
  private final long started = System.nanoTime();
  private long lastSent;

  JobReporter(ConsoleClient client, long jobId, Cancellation cancel) {
    this.client = client;
    this.jobId = jobId;
    this.cancel = cancel;
  }

  @Override
  public void update(String phase, long done, long total) {
    long now = System.nanoTime();
    synchronized (this) {
      if (now - lastSent < 500_000_000L && done < total) {
        return;
      }
      lastSent = now;
    }
    double seconds = (now - started) / 1e9;
    long rate = seconds > 0.2 ? (long) (done / seconds) : 0;
    try {
      Protocol.ProgressAck ack =
          client.post(
              "jobs/" + jobId + "/progress",
              new Protocol.ProgressReport(phase, done, total, rate),
              Protocol.ProgressAck.class,
              Duration.ofSeconds(10));
      if (ack != null && ack.cancel()) {
        cancel.cancel();
      }
    } catch (IOException e) {
      LOG.fine("progress of job " + jobId + " not delivered: " + e.getMessage());
    }
  }

  void log(String level, String message) {
    try {
      client.post(
          "jobs/" + jobId + "/log",
          new Protocol.LogLines(List.of(new Protocol.LogLine(level, message))),
          Void.class,
          Duration.ofSeconds(10));
    } catch (IOException e) {
      LOG.info("job " + jobId + " [" + level + "] " + message);
    }
  }

  void finish(Protocol.JobResult result) {
    long backoff = 1000;
    for (int attempt = 0; attempt < 100; attempt++) {
      try {
        client.post("jobs/" + jobId + "/result", result, Void.class, Duration.ofSeconds(30));
        return;
      } catch (ConsoleClient.Rejected e) {
        LOG.severe("result of job " + jobId + " refused: " + e.getMessage());
        return;
      } catch (IOException e) {
        if (e.getMessage() != null && e.getMessage().contains("answered 4")) {
          LOG.warning("result of job " + jobId + " refused: " + e.getMessage());
          return;
        }
        LOG.warning("result of job " + jobId + " not delivered yet (" + e.getMessage() + ")");
        try {
          Thread.sleep(backoff);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
        backoff = Math.min(30_000, backoff * 2);
      }
    }
  }
}
