package io.holdfast.worker;

import io.holdfast.engine.cli.ImageCli;
import java.util.Arrays;

/**
 * Entry point of {@code holdfast-worker.jar}. {@code image ...} runs the engine's command line; the
 * long-running agent that talks to the console comes with the worker issue.
 */
public final class WorkerMain {

  private WorkerMain() {}

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("image")) {
      System.exit(
          new ImageCli(System.out, System.err).run(Arrays.copyOfRange(args, 1, args.length)));
    }
    System.err.println(
        "usage: java -jar holdfast-worker.jar image <command> ...   (see 'image --help')");
    System.exit(2);
  }
}
