package io.holdfast.engine.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.holdfast.engine.Fixtures;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageCliTest {

  @TempDir Path tmp;
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    out.reset();
    err.reset();
    return new ImageCli(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8))
        .run(args);
  }

  private String stdout() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String stderr() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void init_create_ls_verify_restore_prune_and_gc_work_from_the_command_line() throws Exception {
    String repo = tmp.resolve("repo").toString();
    assertThat(run("init", "--repo", repo, "--chunk-size", "128K")).isZero();
    assertThat(
            run(
                "create",
                "--repo",
                repo,
                "--machine",
                "pc1",
                "--disk",
                Fixtures.mbrDisk() + "=sda"))
        .isZero();
    assertThat(stdout()).startsWith("Created image ");
    assertThat(
            run(
                "create",
                "--repo",
                repo,
                "--machine",
                "pc1",
                "--disk",
                Fixtures.mbrDisk() + "=sda",
                "--json"))
        .isZero();
    assertThat(stdout()).contains("\"storedBytes\" : 0");
    assertThat(run("ls", "--repo", repo)).isZero();
    assertThat(stdout().lines().filter(l -> l.contains("pc1")).count()).isEqualTo(2);
    String newest =
        stdout()
            .lines()
            .filter(l -> l.contains("pc1"))
            .reduce((a, b) -> b)
            .orElseThrow()
            .split(" ")[0];

    assertThat(run("verify", "--repo", repo)).isZero();
    assertThat(stdout()).contains("all sound");
    Path target = tmp.resolve("p5.img");
    assertThat(
            run(
                "restore",
                "--repo",
                repo,
                "--image",
                newest,
                "--partition",
                "5",
                "--target",
                target.toString()))
        .isZero();
    assertThat(Files.size(target)).isEqualTo(40960L * 512);

    assertThat(run("prune", "--repo", repo, "--machine", "pc1", "--keep-last", "1", "--dry-run"))
        .isZero();
    assertThat(stdout()).startsWith("Would remove:");
    assertThat(run("ls", "--repo", repo)).isZero();
    assertThat(stdout().lines().filter(l -> l.contains("pc1")).count()).isEqualTo(2);
    assertThat(run("prune", "--repo", repo, "--machine", "pc1", "--keep-last", "1")).isZero();
    assertThat(run("gc", "--repo", repo, "--grace", "0")).isZero();
    assertThat(stdout()).startsWith("Deleted 0 unused chunk(s), 0 bytes (0 pack(s)");
  }

  @Test
  void recompress_says_what_it_would_do_and_then_does_it() throws Exception {
    String repo = tmp.resolve("repo").toString();
    assertThat(run("init", "--repo", repo)).isZero();
    assertThat(run("create", "--repo", repo, "--machine", "pc1", "--disk", Fixtures.mbrDisk() + ""))
        .isZero();
    long before = dirBytes(tmp.resolve("repo"));
    long packs; // one, or one for each imaging thread that found the other's pack busy
    try (Stream<Path> s = Files.walk(tmp.resolve("repo/packs"))) {
      packs = s.filter(f -> f.toString().endsWith(".pack")).count();
    }
    assertThat(packs).isBetween(1L, 2L);

    assertThat(run("recompress", "--repo", repo, "--dry-run")).isZero();
    assertThat(stdout())
        .startsWith("Would recompress " + packs + " pack(s) holding ")
        .contains("at strong");
    assertThat(dirBytes(tmp.resolve("repo"))).isEqualTo(before);

    assertThat(run("recompress", "--repo", repo, "--budget", "1G", "--json")).isZero();
    assertThat(stdout()).contains("\"packsRewritten\" : " + packs).contains("\"problems\" : [ ]");
    assertThat(dirBytes(tmp.resolve("repo"))).isLessThan(before);
    assertThat(run("recompress", "--repo", repo)).isZero();
    assertThat(stdout()).startsWith("Recompressed 0 pack(s) at strong");
    assertThat(run("verify", "--repo", repo)).isZero();

    assertThat(run("recompress", "--repo", repo, "--compression", "none")).isEqualTo(2);
    assertThat(stderr()).contains("needs a level to compress with");
    assertThat(run("recompress", "--repo", repo, "--budget", "lots")).isEqualTo(2);
    assertThat(stderr()).contains("--budget must be a size such as 256K, 1M or 50G");
  }

  private static long dirBytes(Path dir) throws Exception {
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
    }
  }

  @Test
  void files_lists_and_extract_copies_out_of_an_image() throws Exception {
    String repo = tmp.resolve("repo").toString();
    assertThat(run("init", "--repo", repo)).isZero();
    assertThat(
            run(
                "create",
                "--repo",
                repo,
                "--machine",
                "pc1",
                "--disk",
                Fixtures.gptDisk() + "=sda",
                "--json"))
        .isZero();
    String id = stdout().replaceAll("(?s).*\"id\" *: *\"([^\"]+)\".*", "$1");

    assertThat(run("files", "--repo", repo, "--image", id)).isEqualTo(2);
    assertThat(stderr()).contains("has partitions 1 (fat32, EFI), 2 (ext4, root), 3 (ntfs, DATA)");

    assertThat(run("files", "--repo", repo, "--image", id, "--partition", "2", "--path", "/data"))
        .isZero();
    assertThat(stdout())
        .containsPattern("-rw-r--r-- +3145728  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  blob.bin");
    assertThat(run("files", "--repo", repo, "--image", id, "--partition", "1", "--recursive"))
        .isZero();
    assertThat(stdout()).contains("/EFI/BOOT/LOADER.EFI").contains("/EFI/BOOT/\n");

    Path target = tmp.resolve("out");
    assertThat(
            run(
                "extract",
                "--repo",
                repo,
                "--image",
                id,
                "--partition",
                "2",
                "--path",
                "/data",
                "--target",
                target.toString()))
        .isZero();
    assertThat(stdout()).startsWith("Copied 2 files (");
    assertThat(Files.mismatch(target.resolve("data/blob.bin"), Fixtures.file("root/data/blob.bin")))
        .isEqualTo(-1L);
    assertThat(
            run(
                "extract",
                "--repo",
                repo,
                "--image",
                id,
                "--partition",
                "2",
                "--path",
                "/data",
                "--target",
                target.toString()))
        .isEqualTo(2);
    assertThat(stderr()).contains("exists already; nothing was copied");
  }

  @Test
  void verify_exits_1_and_names_the_damage() throws Exception {
    String repo = tmp.resolve("repo").toString();
    run("init", "--repo", repo);
    run("create", "--repo", repo, "--machine", "pc1", "--disk", Fixtures.mbrDisk().toString());
    try (Stream<Path> s = Files.walk(tmp.resolve("repo/packs"))) {
      Files.delete(s.filter(Files::isRegularFile).findFirst().orElseThrow());
    }
    assertThat(run("verify", "--repo", repo)).isEqualTo(1);
    assertThat(stdout()).contains("DAMAGE FOUND").contains("missing from the repository");
  }

  @Test
  void help_after_a_command_prints_the_usage() {
    assertThat(run("create", "--help")).isEqualTo(0);
    assertThat(stdout()).contains("usage: holdfast-worker image").contains("--compression");
    assertThat(run("restore", "--repo", "x", "-h")).isEqualTo(0);
    assertThat(stdout()).contains("--resume");
  }

  @Test
  void bad_usage_exits_2_with_a_message_a_person_can_act_on() {
    assertThat(
            run(
                "create",
                "--repo",
                tmp.resolve("nope").toString(),
                "--machine",
                "x",
                "--disk",
                "/dev/null"))
        .isEqualTo(2);
    assertThat(stderr()).contains("No Holdfast repository at");
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(stderr()).contains("Unknown command 'frobnicate'");
    assertThat(run("gc", "--repo")).isEqualTo(2);
    assertThat(stderr()).contains("Option --repo needs a value.");
    assertThat(run("init", "--repo", tmp.resolve("r").toString(), "--chunk-size", "1000"))
        .isEqualTo(2);
    assertThat(stderr()).contains("power of two");
    String repo = tmp.resolve("r2").toString();
    run("init", "--repo", repo);
    assertThat(
            run(
                "create",
                "--repo",
                repo,
                "--machine",
                "../etc",
                "--disk",
                Fixtures.mbrDisk().toString()))
        .isEqualTo(2);
    assertThat(stderr()).contains("Machine name '../etc'");
    assertThat(
            run(
                "restore",
                "--repo",
                repo,
                "--image",
                "nothing",
                "--target",
                tmp.resolve("t").toString()))
        .isEqualTo(2);
    assertThat(stderr()).contains("No image nothing");
  }

  @Test
  void selftest_images_changes_verifies_and_restores_a_generated_disk() throws Exception {
    Path kept = tmp.resolve("kept");
    assertThat(run("selftest", "--dir", kept.toString(), "--keep")).as(stderr()).isZero();
    assertThat(stdout())
        .contains("image (full)")
        .contains("image (incremental after a 1 MiB change)")
        .contains("verify both images")
        .contains("restore the incremental")
        .contains("same chunks as the image, nothing new stored")
        .contains("Self-test passed");
    assertThat(run("ls", "--repo", kept.resolve("repo").toString(), "--json")).isZero();
    assertThat(stdout()).contains("\"selftest\"").contains("\"selftest-restored\"");

    Path scratch = tmp.resolve("scratch");
    assertThat(run("selftest", "--dir", scratch.toString())).as(stderr()).isZero();
    assertThat(scratch).doesNotExist();
  }

  @Test
  void selftest_refuses_a_directory_with_anything_in_it_and_leaves_it_alone() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("precious"));
    Files.writeString(dir.resolve("notes.txt"), "keep me");
    assertThat(run("selftest", "--dir", dir.toString())).isEqualTo(2);
    assertThat(stderr()).contains("needs an empty scratch directory").contains(dir.toString());
    assertThat(dir.resolve("notes.txt")).hasContent("keep me");
  }

  @Test
  void keys_are_listed_added_changed_and_removed_from_the_command_line() throws Exception {
    String repo = tmp.resolve("repo").toString();
    Path first = Files.writeString(tmp.resolve("first.pass"), "first one\n");
    Path second = Files.writeString(tmp.resolve("second.pass"), "second one\n");
    Path third = Files.writeString(tmp.resolve("third.pass"), "third one\n");
    String[] withFirst = {"--repo", repo, "--passphrase-file", first.toString()};
    assertThat(run(concat(new String[] {"init", "--encrypt"}, withFirst))).isZero();

    assertThat(
            run(
                concat(
                    new String[] {"key", "add"},
                    withFirst,
                    "--new-passphrase-file",
                    second.toString(),
                    "--label",
                    "nas worker")))
        .as(stderr())
        .isZero();
    assertThat(stdout()).startsWith("Added key ");
    String secondKey = stdout().substring("Added key ".length(), "Added key ".length() + 8);

    assertThat(run(concat(new String[] {"key", "list"}, withFirst))).isZero();
    assertThat(stdout().lines())
        .hasSize(2)
        .anyMatch(l -> l.endsWith("(this passphrase)"))
        .anyMatch(l -> l.startsWith(secondKey) && l.contains("nas worker"));

    String[] withSecond = {"--repo", repo, "--passphrase-file", second.toString()};
    assertThat(
            run(
                concat(
                    new String[] {"key", "passwd"},
                    withSecond,
                    "--new-passphrase-file",
                    third.toString())))
        .isZero();
    assertThat(run(concat(new String[] {"ls"}, withSecond))).isEqualTo(2);
    assertThat(stderr()).contains("none of its 2 keys opens with it");
    String[] withThird = {"--repo", repo, "--passphrase-file", third.toString()};
    assertThat(run(concat(new String[] {"key", "list", "--json"}, withThird))).isZero();
    assertThat(stdout()).contains("\"label\" : \"nas worker\"").doesNotContain(secondKey);

    assertThat(run(concat(new String[] {"key", "remove", "--key", secondKey}, withFirst)))
        .isEqualTo(2);
    assertThat(stderr()).contains("has no key " + secondKey);
    assertThat(run(concat(new String[] {"key", "frobnicate"}, withFirst))).isEqualTo(2);
    assertThat(stderr()).contains("needs one of list, add, passwd or remove");
    assertThat(run(concat(new String[] {"key", "add"}, withFirst))).isEqualTo(2);
    assertThat(stderr()).contains("--new-passphrase-file");
  }

  private static String[] concat(String[] head, String[] middle, String... tail) {
    return Stream.of(head, middle, tail).flatMap(Stream::of).toArray(String[]::new);
  }

  private static String[] concat(String[] head, String[] tail) {
    return concat(head, tail, new String[0]);
  }
}
