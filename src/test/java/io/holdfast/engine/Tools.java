package io.holdfast.engine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the tools nobody here wrote (fsck, sgdisk, debugfs, ...) and captures what they say. */
public final class Tools {

  public record Result(int exit, String output, byte[] stdout) {}

  private Tools() {}

  public static Result run(String... cmd) {
    return run(Map.of(), cmd);
  }

  public static Result run(Map<String, String> env, String... cmd) {
    try {
      ProcessBuilder pb = new ProcessBuilder(List.of(cmd));
      pb.environment().putAll(env);
      pb.environment().put("MTOOLS_SKIP_CHECK", "1");
      pb.environment().put("PATH", System.getenv("PATH") + ":/usr/sbin:/sbin");
      Process p = pb.start();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      Thread drain = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), err));
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(300, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("timed out: " + String.join(" ", cmd));
      }
      drain.join();
      String text = new String(out, StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
      return new Result(p.exitValue(), text, out);
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", cmd), e);
    }
  }

  private static void copy(InputStream in, ByteArrayOutputStream out) {
    try {
      in.transferTo(out);
    } catch (IOException ignored) {
      // process ended
    }
  }

  /** Runs a tool that must succeed, and says what it said when it does not. */
  public static Result check(String... cmd) {
    Result r = run(cmd);
    org.assertj.core.api.Assertions.assertThat(r.exit())
        .as("%s: %s", String.join(" ", cmd), r.output())
        .isZero();
    return r;
  }

  /** Checks with qemu-img that a VHDX file holds exactly the disk of a raw file. */
  public static void assertVhdxHolds(Path raw, Path vhdx) {
    org.assertj.core.api.Assertions.assertThat(
            check("qemu-img", "compare", "-f", "raw", "-F", "vhdx", raw.toString(), vhdx.toString())
                .output())
        .contains("Images are identical");
  }

  public static String path(Path p) {
    return p.toAbsolutePath().toString();
  }
}
