package io.holdfast.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The built holdfast-worker.jar run as a real agent process. */
public final class WorkerProcess implements AutoCloseable {

  private final Process process;
  private final Path log;

  private WorkerProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  public static WorkerProcess start(
      String console, String token, Path state, String hostname, Path... disks) throws IOException {
    return start(List.of(), console, token, state, hostname, disks);
  }

  /** As {@link #start(String, String, Path, String, Path...)} with options for the JVM. */
  public static WorkerProcess start(
      List<String> jvmOptions,
      String console,
      String token,
      Path state,
      String hostname,
      Path... disks)
      throws IOException {
    return start(jvmOptions, List.of(), console, token, state, hostname, disks);
  }

  /** As {@link #start(List, String, String, Path, String, Path...)} with options for the worker. */
  public static WorkerProcess start(
      List<String> jvmOptions,
      List<String> workerOptions,
      String console,
      String token,
      Path state,
      String hostname,
      Path... disks)
      throws IOException {
    String jar = System.getProperty("holdfast.worker.jar", "target/holdfast-worker.jar");
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    cmd.addAll(
        List.of(
            "-jar",
            jar,
            "--console",
            console,
            "--state",
            state.toString(),
            "--hostname",
            hostname,
            "--no-devices",
            "--poll-wait",
            "5"));
    cmd.addAll(workerOptions);
    if (token != null) {
      cmd.addAll(List.of("--enrol-token", token));
    }
    for (Path d : disks) {
      cmd.addAll(List.of("--disk", d.toString()));
    }
    Path log = Files.createTempFile("holdfast-worker", ".log");
    Process p =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new WorkerProcess(p, log);
  }

  public boolean alive() {
    return process.isAlive();
  }

  /** kill -9: no shutdown hook, no goodbye to the console. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  public int waitForExit(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      throw new IllegalStateException("worker still running after " + seconds + " s:\n" + log());
    }
    return process.exitValue();
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      kill();
    }
  }
}
