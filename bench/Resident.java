import io.holdfast.engine.cli.ImageCli;
import io.holdfast.worker.Agent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The engine as the worker daemon runs it: one JVM that runs {@code image} commands one after
 * another, for the benchmark's "resident" rows. A fresh JVM per command (the "worker" rows) pays
 * class loading and JIT compilation on every job; a worker that stays running pays them once.
 *
 * <p>{@code java -cp holdfast-worker.jar:CLASSES Resident SOCKET WARMUPS}: runs the engine's
 * self-test WARMUPS times (a generated 64 MiB disk, never the bench disk), then serves a Unix
 * socket. A request is one connection: the command's words one per line, then end of input. The
 * reply is the command's output, then one line {@code resident rc=N cpu_s=S maxrss_MiB=M wall_s=W}:
 * the process's CPU time during the command (every thread: engine, GC, JIT), its peak resident set
 * during the command (the peak is reset through /proc/self/clear_refs before it starts) and the
 * command's wall time, from its words read to its end. The worker daemon gets a job over a
 * connection it already holds; the client's own start (python3 took 0.4-0.5 s on the session 23
 * machine) is no part of that, so anchors.sh reports this wall time, not the client's. After each
 * command it does what the worker does after each job ({@link Agent#releaseJobMemory}). A request
 * {@code quit} ends the process. bench/resident.py is the client; bench/run.sh starts this
 * with deploy/holdfast-worker.service's heap and malloc settings.
 */
public final class Resident {

  public static void main(String[] args) throws IOException {
    Path socket = Path.of(args[0]);
    int warmups = Integer.parseInt(args[1]);
    PrintStream quiet = new PrintStream(OutputStream.nullOutputStream());
    for (int i = 0; i < warmups; i++) {
      int rc = new ImageCli(quiet, System.err).run(new String[] {"selftest"});
      if (rc != 0) {
        throw new IllegalStateException("self-test warm-up failed with status " + rc);
      }
      Agent.releaseJobMemory();
    }
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    Files.deleteIfExists(socket);
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      System.out.println("resident: ready after " + warmups + " self-tests");
      System.out.flush();
      while (true) {
        try (SocketChannel client = server.accept()) {
          String[] words = readAll(client).lines().filter(l -> !l.isEmpty()).toArray(String[]::new);
          if (words.length == 1 && words[0].equals("quit")) {
            return;
          }
          ByteArrayOutputStream output = new ByteArrayOutputStream();
          PrintStream to = new PrintStream(output, true, StandardCharsets.UTF_8);
          resetPeakRss();
          long cpu = os.getProcessCpuTime();
          long started = System.nanoTime();
          int rc;
          try {
            rc = new ImageCli(to, to).run(words);
          } catch (RuntimeException e) {
            // what the worker does with a job that fails this way: report it and run the next one
            e.printStackTrace(to);
            rc = 1;
          }
          double wallSeconds = (System.nanoTime() - started) / 1e9;
          double cpuSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
          to.printf(
              Locale.ROOT,
              "resident rc=%d cpu_s=%.2f maxrss_MiB=%d wall_s=%.2f%n",
              rc,
              cpuSeconds,
              peakRssMib(),
              wallSeconds);
          client.write(ByteBuffer.wrap(output.toByteArray()));
          Agent.releaseJobMemory();
        }
      }
    }
  }

  private static String readAll(SocketChannel c) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    ByteBuffer b = ByteBuffer.allocate(8192);
    while (c.read(b) >= 0) {
      all.write(b.array(), 0, b.position());
      b.clear();
    }
    return all.toString(StandardCharsets.UTF_8);
  }

  /** Linux: writing 5 to clear_refs sets VmHWM back to the current resident set. */
  private static void resetPeakRss() throws IOException {
    Files.writeString(Path.of("/proc/self/clear_refs"), "5");
  }

  private static long peakRssMib() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    throw new IllegalStateException("no VmHWM in /proc/self/status");
  }
}
