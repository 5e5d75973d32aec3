package io.holdfast.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Fixtures;
import io.holdfast.engine.Tools;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The built holdfast-worker.jar: small, console-free, and a working engine command line. */
class WorkerJarIT {

  @TempDir Path tmp;
  private final String jar =
      System.getProperty("holdfast.worker.jar", "target/holdfast-worker.jar");
  private final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  @Test
  void the_jar_holds_the_engine_and_no_console_frameworks() throws Exception {
    try (JarFile j = new JarFile(jar)) {
      assertThat(j.getEntry("io/holdfast/engine/ops/CreateImage.class")).isNotNull();
      assertThat(j.getEntry("io/holdfast/worker/WorkerMain.class")).isNotNull();
      assertThat(j.stream().map(e -> e.getName()))
          .noneMatch(
              n ->
                  n.startsWith("com/vaadin/")
                      || n.startsWith("io/quarkus/")
                      || n.startsWith("org/hibernate/"))
          .noneMatch(n -> n.startsWith("io/holdfast/accounts/") || n.startsWith("io/holdfast/ui/"));
    }
  }

  @Test
  void java_jar_images_and_restores_a_disk() {
    String repo = tmp.resolve("repo").toString();
    assertThat(Tools.run(java, "-jar", jar, "image", "init", "--repo", repo).exit()).isZero();
    Tools.Result create =
        Tools.run(
            java,
            "-jar",
            jar,
            "image",
            "create",
            "--repo",
            repo,
            "--machine",
            "jar",
            "--disk",
            Fixtures.gptDisk().toString());
    assertThat(create.exit()).as(create.output()).isZero();
    assertThat(create.output()).doesNotContain("WARNING");
    Tools.Result verify = Tools.run(java, "-jar", jar, "image", "verify", "--repo", repo);
    assertThat(verify.output()).contains("all sound");
    String id = create.output().split(" ")[2].replace(":", "");
    Path p2 = tmp.resolve("p2.img");
    Tools.Result restore =
        Tools.run(
            java,
            "-jar",
            jar,
            "image",
            "restore",
            "--repo",
            repo,
            "--image",
            id,
            "--partition",
            "2",
            "--target",
            p2.toString());
    assertThat(restore.exit()).as(restore.output()).isZero();
    assertThat(Tools.run("fsck.ext4", "-fn", p2.toString()).exit()).isZero();
  }
}
