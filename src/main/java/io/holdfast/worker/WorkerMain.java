package io.holdfast.worker;

import io.holdfast.engine.cli.ImageCli;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point of {@code holdfast-worker.jar}:
 *
 * <pre>
 *   java -jar holdfast-worker.jar --console URL [--enrol-token T] [--state DIR] [--disk FILE]...
 *   java -jar holdfast-worker.jar image &lt;command&gt; ...
 * </pre>
 */
public final class WorkerMain {

  public static final String VERSION = "0.1.0";

  private WorkerMain() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("image")) {
      System.exit(
          new ImageCli(System.out, System.err).run(Arrays.copyOfRange(args, 1, args.length)));
    }
    try {
      Agent agent = new Agent(parse(args));
      Runtime.getRuntime().addShutdownHook(new Thread(agent::stop));
      agent.run();
      System.exit(agent.stopReason() == null ? 0 : 3);
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.err.println(
          "usage: java -jar holdfast-worker.jar --console URL [--enrol-token TOKEN] [--state DIR]"
              + " [--disk IMAGEFILE]... [--no-devices] [--max-jobs N]\n"
              + "       [--passphrase-file FILE]   (for encrypted repositories)\n"
              + "       java -jar holdfast-worker.jar image <command> ...   (see 'image --help')");
      System.exit(2);
    }
  }

  static Agent.Config parse(String[] args) {
    URI console = null;
    String token = System.getenv("HOLDFAST_ENROL_TOKEN");
    Path state = Path.of(System.getProperty("user.home"), ".holdfast-worker");
    String hostname = Inventories.hostname();
    List<Path> disks = new ArrayList<>();
    boolean devices = true;
    int maxJobs = 2;
    int wait = 25;
    Path passphraseFile = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--console" -> {
          console = URI.create(need(a, v));
          i++;
        }
        case "--enrol-token" -> {
          token = need(a, v);
          i++;
        }
        case "--state" -> {
          state = Path.of(need(a, v));
          i++;
        }
        case "--hostname" -> {
          hostname = need(a, v);
          i++;
        }
        case "--disk" -> {
          disks.add(Path.of(need(a, v)));
          i++;
        }
        case "--max-jobs" -> {
          maxJobs = Integer.parseInt(need(a, v));
          i++;
        }
        case "--poll-wait" -> {
          wait = Integer.parseInt(need(a, v));
          i++;
        }
        case "--passphrase-file" -> {
          passphraseFile = Path.of(need(a, v));
          i++;
        }
        case "--no-devices" -> devices = false;
        default -> throw new IllegalArgumentException("unknown option " + a);
      }
    }
    if (console == null) {
      throw new IllegalArgumentException("--console is required");
    }
    return new Agent.Config(
        console,
        state,
        token,
        hostname,
        List.copyOf(disks),
        devices,
        maxJobs,
        wait,
        passphraseFile);
  }

  /** This machine's hostname, as the worker reports it. */
  public static String localHostname() {
    return Inventories.hostname();
  }

  private static String need(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }
}
