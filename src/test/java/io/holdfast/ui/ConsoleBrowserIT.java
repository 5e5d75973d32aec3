package io.holdfast.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import io.holdfast.testing.AppProcess;
import io.holdfast.testing.Browser;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console in a real Chromium, signed in as the first admin with the printed password. */
class ConsoleBrowserIT {

  @TempDir static Path dataDir;
  static AppProcess app;
  static Browser browser;

  @BeforeAll
  static void start() throws Exception {
    // besides the demo disk, a disk formatted whole (no partition table)
    app =
        AppProcess.start(
            dataDir,
            Map.of(
                "HOLDFAST_LOCAL_WORKER_DISK_FILES",
                io.holdfast.engine.Fixtures.plainDisk("ext4").toString()));
    browser = new Browser();
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) {
      browser.close();
    }
    if (app != null) {
      app.close();
    }
  }

  @Test
  void the_first_admin_signs_in_and_visits_every_view() {
    Page page = browser.newPage(app.baseUrl());
    page.navigate("/");
    page.waitForSelector("vaadin-login-form");
    Browser.screenshot(page, "00-login");
    signIn(page, "admin", app.generatedAdminPassword());

    assertThat(page.locator("#dashboard")).isVisible();
    assertThat(page.locator("#current-user")).hasText("admin");
    assertThat(page.locator("#current-role")).hasText("Admin");
    // the built-in local worker enrols itself and offers its demo disk
    assertThat(page.locator("#card-machines")).isVisible();
    // room left where the default repository lives, measured on the real filesystem
    assertThat(page.locator("#card-repository")).containsText("free of");
    // the demo machine has no image yet, or one from the other tests' backups
    assertThat(page.locator("#card-unprotected"))
        .containsText(
            Pattern.compile(
                "without an image from the last 2 days: vm \\(never backed up\\)"
                    + "|every machine has an image from the last 2 days"));
    Browser.screenshot(page, "01-dashboard");

    String[][] views = {
      {"Machines", "machines-view"},
      {"Images", "images-view"},
      {"Jobs", "jobs-view"},
      {"Plans", "plans-view"},
      {"Restores", "restores-view"},
      {"Repositories", "repositories-view"},
      {"Audit", "audit-view"},
      {"Settings", "settings-view"},
      {"Dashboard", "dashboard"},
    };
    int n = 2;
    for (String[] view : views) {
      page.locator("vaadin-side-nav-item")
          .filter(new Locator.FilterOptions().setHasText(view[0]))
          .first()
          .click();
      assertThat(page.locator("#" + view[1])).isVisible();
      Browser.screenshot(page, String.format("%02d-%s", n++, view[1]));
    }
    page.navigate("/audit");
    assertThat(
            page.locator("vaadin-grid-cell-content")
                .filter(new Locator.FilterOptions().setHasText("signin"))
                .first())
        .isVisible();

    page.locator("#logout").click();
    page.waitForURL(Pattern.compile(".*/login.*"));
    assertThat(page.locator("vaadin-login-form")).isVisible();
  }

  @Test
  void a_backup_started_from_the_machines_view_runs_to_100_percent() {
    Page page = browser.newPage(app.baseUrl());
    page.navigate("/login");
    signIn(page, "admin", app.generatedAdminPassword());
    assertThat(page.locator("#dashboard")).isVisible();
    page.navigate("/machines");
    // a body cell (the first cells are the column headers)
    Locator row =
        page.locator("#machines-grid vaadin-grid-cell-content")
            .filter(new Locator.FilterOptions().setHasText(Pattern.compile("^(online|offline)$")))
            .first();
    assertThat(row)
        .isVisible(
            new com.microsoft.playwright.assertions.LocatorAssertions.IsVisibleOptions()
                .setTimeout(30_000));
    row.click();
    assertThat(page.locator("#machine-detail")).isVisible();
    assertThat(page.getByText("demo-disk.img").first()).isVisible();
    String machineUrl = page.url();
    Browser.screenshot(page, "20-machine-detail");
    page.locator("#backup-now").click();
    assertThat(page.getByText("queued as job").first()).isVisible();
    page.navigate("/jobs");
    Locator done =
        page.locator("#jobs-grid .job-state")
            .filter(new Locator.FilterOptions().setHasText("succeeded"))
            .first();
    assertThat(done)
        .isVisible(
            new com.microsoft.playwright.assertions.LocatorAssertions.IsVisibleOptions()
                .setTimeout(60_000));
    assertThat(page.locator("#jobs-grid .job-progress").first()).hasAttribute("data-value", "100");
    Browser.screenshot(page, "21-jobs-done");
    // the machine's disks now show what the image found: ext4 filling the table-less disk
    page.navigate(machineUrl);
    assertThat(page.locator("#machine-detail"))
        .containsText(Pattern.compile("Whole disk without a partition table · .* · ext4, 1[34]"));
    Browser.screenshot(page, "21b-machine-disks-after-backup");
    page.navigate("/jobs");
    page.locator("#jobs-grid vaadin-grid-cell-content")
        .filter(new Locator.FilterOptions().setHasText("backup"))
        .first()
        .click();
    assertThat(page.locator("#job-log")).containsText("Image ");
    Browser.screenshot(page, "22-job-detail");
    page.navigate("/images");
    assertThat(page.locator("#images-grid")).isVisible();
    Browser.screenshot(page, "23-images");
    // an admin exports the image as a VHDX; the local worker writes it where the dialog says
    page.locator("#images-grid .export-image").first().click();
    assertThat(page.locator("#export-target")).isVisible();
    assertThat(page.locator("#export-target input")).hasValue(Pattern.compile(".*\\.vhdx$"));
    // the image holds two disks: by default both go, each into a file named after it
    assertThat(page.locator("#export-what")).containsText("Every disk (2");
    // a fixed VHD for Azure: the suggested name follows the format, the helper says what it is for
    page.locator("#export-format").click();
    page.locator("vaadin-select-item")
        .filter(new Locator.FilterOptions().setHasText("VHD (fixed"))
        .click();
    assertThat(page.locator("#export-target input")).hasValue(Pattern.compile(".*\\.vhd$"));
    assertThat(page.locator("#export-format")).containsText("Azure");
    assertThat(page.locator("vaadin-select-item").first()).isHidden();
    Browser.screenshot(page, "23a-export-dialog-vhd");
    page.locator("#export-format").click();
    page.locator("vaadin-select-item")
        .filter(new Locator.FilterOptions().setHasText("VHDX"))
        .click();
    assertThat(page.locator("#export-target input")).hasValue(Pattern.compile(".*\\.vhdx$"));
    page.locator("#export-target input").fill(dataDir.resolve("exports/demo.vhdx").toString());
    Browser.screenshot(page, "23b-export-dialog");
    page.locator("#start-export").click();
    assertThat(page.getByText(Pattern.compile("Export of image .* queued as job"))).isVisible();
    for (String disk : List.of("demo-disk.img", "plain-ext4.img")) {
      Path vhdx = dataDir.resolve("exports/demo-" + disk + ".vhdx");
      long until = System.currentTimeMillis() + 60_000;
      while (!java.nio.file.Files.exists(vhdx) && System.currentTimeMillis() < until) {
        page.waitForTimeout(500);
      }
      org.assertj.core.api.Assertions.assertThat(
              io.holdfast.engine.Tools.check("qemu-img", "check", "-f", "vhdx", vhdx.toString())
                  .output())
          .contains("No errors were found");
    }
    // deleting an image asks why first; without a reason nothing is deleted
    page.locator("#images-grid .delete-image").first().click();
    assertThat(page.locator("#delete-image-reason")).isVisible();
    assertThat(page.getByText(Pattern.compile("cannot be restored afterwards"))).isVisible();
    page.locator("#confirm-delete-image").click();
    assertThat(page.getByText("Say why the image is deleted")).isVisible();
    Browser.screenshot(page, "23c-delete-image-dialog");
    page.getByText("Cancel").last().click();
    assertThat(page.locator("#delete-image-reason")).not().isVisible();

    // the repository now holds an image: an admin runs its maintenance and watches it end
    page.navigate("/repositories");
    assertThat(page.locator("#repositories-view"))
        .containsText("images never verified or not for 30 days are verified again");
    page.locator("#repository-default .run-maintenance").click();
    assertThat(page.getByText("queued as job").first()).isVisible();
    assertThat(page.locator("#repository-default .last-maintenance"))
        .containsText(
            Pattern.compile("succeeded · ended .* · freed .* · recompressed [1-9]\\d* packs"),
            new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions()
                .setTimeout(60_000));
    assertThat(page.locator("#repository-default")).containsText("Chunk data: ");
    assertThat(page.locator("#repository-default")).not().containsText("measured by the first");
    Browser.screenshot(page, "24-repository-maintained");

    // an admin adds a second repository, sees its card, and removes it again (nothing used it)
    page.locator("#add-repository").click();
    page.locator("#repository-name input").fill("usb-1");
    page.locator("#repository-path input").fill(dataDir.resolve("usb").toString());
    Browser.screenshot(page, "25-add-repository");
    page.locator("#save-repository").click();
    assertThat(page.getByText(Pattern.compile("Repository usb-1 at .*/usb saved"))).isVisible();
    assertThat(page.locator("#repository-usb-1")).containsText("Next maintenance");
    Browser.screenshot(page, "26-repositories");
    page.locator("#repository-usb-1 .remove-repository").click();
    assertThat(page.getByText("Repository usb-1 removed")).isVisible();
    assertThat(page.locator("#repository-usb-1")).hasCount(0);
  }

  /** A helpdesk account, and a finished backup of the built-in worker's machine (its name). */
  private static String helpdeskAndABackup(
      io.holdfast.testing.Console api, String user, String password) throws Exception {
    api.as()
        .body(
            "{\"username\":\""
                + user
                + "\",\"role\":\"HELPDESK\",\"password\":\""
                + password
                + "\"}")
        .post("/api/v1/users")
        .then()
        .statusCode(201);
    api.await(
        "/api/v1/machines", j -> !j.getList("items").isEmpty(), java.time.Duration.ofSeconds(60));
    String machine = api.get("/api/v1/machines").getString("items[0].name");
    long machineId = api.awaitMachine(machine);
    long backup = api.post("/api/v1/jobs/backup", "{\"machine\":" + machineId + "}");
    org.assertj.core.api.Assertions.assertThat(
            api.awaitJobEnd(backup, java.time.Duration.ofSeconds(90)).getString("state"))
        .isEqualTo("SUCCEEDED");
    return machine;
  }

  /** Signed in as {@code user}, the restore request dialog with the machine's newest backup. */
  private static Page requestDialogOfNewestBackup(String user, String password, String machine) {
    Page hd = browser.newPage(app.baseUrl());
    hd.navigate("/login");
    signIn(hd, user, password);
    assertThat(hd.locator("#dashboard")).isVisible();
    hd.navigate("/restores");
    hd.locator("#request-restore").click();
    hd.locator("#restore-source input").fill(machine);
    hd.locator("vaadin-combo-box-item:visible")
        .filter(new Locator.FilterOptions().setHasText(machine))
        .first()
        .click();
    hd.locator("#restore-image [part~=\"toggle-button\"]").click();
    hd.locator("vaadin-combo-box-item:visible").first().click();
    return hd;
  }

  @Test
  void helpdesk_requests_a_restore_and_an_admin_approves_it_in_the_browser() throws Exception {
    io.holdfast.testing.Console api =
        new io.holdfast.testing.Console(app.baseUrl(), app.generatedAdminPassword());
    String machine = helpdeskAndABackup(api, "hd-browser", "helpdesk-password-1");
    Path target = dataDir.resolve("restored-data-partition.img");

    Page hd = requestDialogOfNewestBackup("hd-browser", "helpdesk-password-1", machine);
    // the image holds two disks (the demo disk and the table-less one): the form offers both
    hd.locator("#restore-disk [part~=\"toggle-button\"]").click();
    assertThat(hd.locator("vaadin-combo-box-item:visible")).hasCount(2);
    hd.locator("vaadin-combo-box-item:visible")
        .filter(new Locator.FilterOptions().setHasText("demo-disk.img"))
        .first()
        .click();
    // the partitions are offered by what the image found on them
    hd.locator("#restore-partition").click();
    hd.locator("vaadin-select-item:visible")
        .filter(new Locator.FilterOptions().setHasText("Partition 2 · data"))
        .first()
        .click();
    assertThat(hd.locator("#restore-partition")).containsText("fat16");
    // the target machine's disks are offered; a file path is typed
    hd.locator("#restore-target input").fill(target.toString());
    hd.locator("#restore-target input").press("Enter");
    assertThat(hd.locator("#restore-target input")).hasValue(target.toString());
    hd.locator("#restore-reason textarea").fill("user overwrote the data partition");
    Browser.screenshot(hd, "30-restore-request");
    hd.locator("#ask-approval").click();
    assertThat(hd.getByText("is pending").first()).isVisible();
    assertThat(hd.locator(".approve-request")).hasCount(0);
    Browser.screenshot(hd, "31-restore-pending-helpdesk");

    Page admin = browser.newPage(app.baseUrl());
    admin.navigate("/login");
    signIn(admin, "admin", app.generatedAdminPassword());
    assertThat(admin.locator("#pending-restores")).hasText("1");
    admin.navigate("/restores");
    admin.locator(".approve-request").first().click();
    Browser.screenshot(admin, "32-restore-approve-dialog");
    admin.locator("#confirm-approve").click();
    assertThat(admin.getByText("restore job").first()).isVisible();
    Browser.screenshot(admin, "33-restore-approved");

    long job = api.get("/api/v1/restores").getLong("items[0].jobId");
    org.assertj.core.api.Assertions.assertThat(
            api.awaitJobEnd(job, java.time.Duration.ofSeconds(90)).getString("state"))
        .isEqualTo("SUCCEEDED");
    org.assertj.core.api.Assertions.assertThat(java.nio.file.Files.size(target))
        .isEqualTo(32L << 20);
    java.util.List<String> actions =
        api.get("/api/v1/audit?limit=200").getList("items.action", String.class);
    org.assertj.core.api.Assertions.assertThat(actions)
        .contains("restore.request", "restore.approve", "restore.start", "job.succeeded");
  }

  @Test
  void helpdesk_gets_files_back_from_a_backup_and_an_admin_approves_it_in_the_browser()
      throws Exception {
    io.holdfast.testing.Console api =
        new io.holdfast.testing.Console(app.baseUrl(), app.generatedAdminPassword());
    String machine = helpdeskAndABackup(api, "hd-files", "helpdesk-password-2");
    Path folder = dataDir.resolve("restored-files");

    Page hd = requestDialogOfNewestBackup("hd-files", "helpdesk-password-2", machine);
    hd.locator("#restore-mode vaadin-radio-button")
        .filter(new Locator.FilterOptions().setHasText("Files and folders"))
        .click();
    assertThat(hd.locator("#restore-files")).isVisible();
    hd.locator("#restore-disk [part~=\"toggle-button\"]").click();
    hd.locator("vaadin-combo-box-item:visible")
        .filter(new Locator.FilterOptions().setHasText("demo-disk.img"))
        .first()
        .click();
    hd.locator("#restore-partition").click();
    hd.locator("vaadin-select-item:visible")
        .filter(new Locator.FilterOptions().setHasText("Partition 2 · data"))
        .first()
        .click();
    // the folder is chosen by browsing the backup, which the built-in worker lists
    hd.locator("#restore-browse").click();
    assertThat(hd.locator("#browse-grid")).containsText("DOCS/");
    hd.locator("#browse-grid .browse-folder")
        .filter(new Locator.FilterOptions().setHasText("DOCS"))
        .dblclick();
    assertThat(hd.locator("#browse-path")).hasText("/DOCS");
    assertThat(hd.locator("#browse-grid")).containsText("NOTES.TXT");
    assertThat(hd.locator("#browse-grid")).containsText("REPORT.CSV");
    assertThat(hd.locator("#browse-status")).containsText("2 entries in this fat16 folder");
    Browser.screenshot(hd, "33b-browse-backup");
    hd.locator("#browse-dialog vaadin-button")
        .filter(new Locator.FilterOptions().setHasText("Up"))
        .click();
    assertThat(hd.locator("#browse-path")).hasText("/");
    hd.locator("#browse-grid .browse-folder")
        .filter(new Locator.FilterOptions().setHasText("DOCS"))
        .click();
    hd.locator("#browse-add").click();
    assertThat(hd.locator("#restore-files textarea")).hasValue("/DOCS");
    // and a file typed as Windows shows it, in the case people type
    hd.locator("#restore-files textarea").fill("/DOCS\nD:\\app.bin");
    hd.locator("#restore-target input").fill(folder.toString());
    hd.locator("#restore-target input").press("Enter");
    hd.locator("#restore-reason textarea").fill("user deleted the DOCS folder");
    Browser.screenshot(hd, "34-file-restore-request");
    hd.locator("#ask-approval").click();
    assertThat(hd.getByText("is pending").first()).isVisible();
    assertThat(hd.locator("#restores-grid")).containsText("2 files and folders from partition 2");
    assertThat(hd.locator("#ask-approval")).isHidden();
    Browser.screenshot(hd, "35-file-restore-pending");

    Page admin = browser.newPage(app.baseUrl());
    admin.navigate("/login");
    signIn(admin, "admin", app.generatedAdminPassword());
    admin.navigate("/restores");
    admin.locator(".approve-request").first().click();
    assertThat(admin.getByText(Pattern.compile("Copies /DOCS, /app.bin from partition 2")))
        .isVisible();
    assertThat(admin.locator("#confirm-approve")).isVisible();
    Browser.screenshot(admin, "36-file-restore-approve-dialog");
    admin.locator("#confirm-approve").click();
    assertThat(admin.getByText("restore job").first()).isVisible();

    long request =
        api.get("/api/v1/restores").getList("items", java.util.Map.class).stream()
            .filter(r -> r.get("files") != null)
            .mapToLong(r -> ((Number) r.get("id")).longValue())
            .findFirst()
            .orElseThrow();
    long job = api.get("/api/v1/restores/" + request).getLong("jobId");
    io.restassured.path.json.JsonPath ended =
        api.awaitJobEnd(job, java.time.Duration.ofSeconds(90));
    org.assertj.core.api.Assertions.assertThat(ended.getString("state"))
        .as("%s", ended.prettify())
        .isEqualTo("SUCCEEDED");
    org.assertj.core.api.Assertions.assertThat(ended.getString("type")).isEqualTo("restore-files");
    // what mtools reads from the demo disk's data partition is what the restore copied out
    Path demo = dataDir.resolve("local-worker/disks/demo-disk.img");
    long offset = (2048L + 24 * 2048) * 512;
    for (String file : java.util.List.of("DOCS/NOTES.TXT", "DOCS/REPORT.CSV", "APP.BIN")) {
      Path expected = dataDir.resolve("mtools-" + file.replace('/', '-'));
      io.holdfast.engine.Tools.check(
          "mcopy", "-n", "-i", demo + "@@" + offset, "::/" + file, expected.toString());
      org.assertj.core.api.Assertions.assertThat(
              java.nio.file.Files.mismatch(expected, folder.resolve(file)))
          .as(file)
          .isEqualTo(-1L);
    }
    org.assertj.core.api.Assertions.assertThat(folder.resolve("PHOTOS.ZIP")).doesNotExist();
    java.util.List<String> details =
        api.get("/api/v1/audit?action=restore.start&limit=200")
            .getList("items.details", String.class);
    org.assertj.core.api.Assertions.assertThat(details)
        .anyMatch(d -> d.contains("files /DOCS, /app.bin, to " + machine + ":" + folder));
    org.assertj.core.api.Assertions.assertThat(
            api.get("/api/v1/audit?action=image.browse&limit=200")
                .getList("items.details", String.class))
        .anyMatch(d -> d.contains(": /DOCS of partition 2 of disk demo-disk.img by " + machine));
  }

  @Test
  void an_admin_makes_a_plan_runs_it_now_and_sees_its_backup_succeed() {
    Page page = browser.newPage(app.baseUrl());
    page.navigate("/login");
    signIn(page, "admin", app.generatedAdminPassword());
    assertThat(page.locator("#dashboard")).isVisible();
    page.navigate("/plans");
    page.locator("#new-plan").click();
    page.locator("#plan-name input").fill("Weeknights, demo machine");
    page.locator("#plan-machine input").click();
    page.locator("vaadin-multi-select-combo-box-item").first().click();
    // the machines' list stays open for more choices; its toggle closes it
    page.locator("#plan-machine [part~='toggle-button']").click();
    page.locator("#plan-preset").click();
    page.locator("vaadin-select-item")
        .filter(new Locator.FilterOptions().setHasText("Weekdays at 22:30"))
        .click();
    assertThat(page.locator("#plan-schedule input")).hasValue("30 22 * * 1-5");
    page.locator("#plan-verify input").check();
    // the other tests' images of this machine stay: keep the newest ten, whatever their day
    page.locator("#plan-keep-last input").fill("10");
    assertThat(page.locator("#plan-retries input")).hasValue("2");
    page.locator("#plan-retries input").fill("3");
    page.locator("#plan-retry-wait input").fill("20");
    page.locator("#plan-compression").click();
    page.locator("vaadin-select-item")
        .filter(new Locator.FilterOptions().setHasText("Balanced (zstd 3)"))
        .click();
    Browser.screenshot(page, "40-plan-editor");
    page.locator("#save-plan").click();
    assertThat(page.getByText(Pattern.compile("Plan Weeknights, demo machine runs next at")))
        .isVisible();
    Locator grid = page.locator("#plans-grid");
    assertThat(grid).containsText("Weeknights, demo machine");
    assertThat(grid).containsText("Weekdays at 22:30");
    assertThat(grid).containsText("none yet");
    assertThat(grid).containsText("keep 10 last, 7 daily, 4 weekly, 6 monthly");
    assertThat(grid).containsText("3 retries 20 min apart; compression balanced (zstd 3)");

    page.locator("#plans-grid .run-plan").first().click();
    assertThat(page.getByText("queued as job").first()).isVisible();
    // the local worker backs the demo machine up; the page follows the job to its end
    assertThat(grid)
        .containsText(
            "succeeded",
            new com.microsoft.playwright.assertions.LocatorAssertions.ContainsTextOptions()
                .setTimeout(90_000));
    Browser.screenshot(page, "41-plans");
    // and, as the plan asks, a verify of the new image follows
    page.navigate("/jobs");
    assertThat(
            page.locator("#jobs-grid vaadin-grid-cell-content")
                .filter(new Locator.FilterOptions().setHasText("verify after backup"))
                .first())
        .isVisible(
            new com.microsoft.playwright.assertions.LocatorAssertions.IsVisibleOptions()
                .setTimeout(30_000));

    // a schedule the console cannot read is refused with what to write instead
    page.navigate("/plans");
    assertThat(page.locator("#plans-grid")).containsText("succeeded");
    page.locator("#plans-grid .edit-plan").first().click();
    assertThat(page.locator("#plan-name input")).hasValue("Weeknights, demo machine");
    page.locator("#plan-schedule input").fill("every night");
    page.locator("#save-plan").click();
    assertThat(page.getByText(Pattern.compile("'every night' is not a cron expression")))
        .isVisible();
    Browser.screenshot(page, "42-plan-bad-schedule");

    // a laptop's plan: no schedule, a backup whenever it is online and its last is a day old
    page.locator("#plan-preset").click();
    page.locator("vaadin-select-item")
        .filter(new Locator.FilterOptions().setHasText("None: only when online"))
        .click();
    assertThat(page.locator("#plan-schedule input")).hasValue("");
    page.locator("#save-plan").click();
    assertThat(page.getByText(Pattern.compile("needs a schedule .*online, or both"))).isVisible();
    page.locator("#plan-online-hours input").fill("24");
    Browser.screenshot(page, "43-plan-when-online");
    page.locator("#save-plan").click();
    assertThat(page.getByText("backs up its machines when they are online")).isVisible();
    assertThat(grid).containsText("When online every 24 h, then verify");
    assertThat(grid).containsText("when online");
    assertThat(page.locator("#plan-online-hours")).not().isVisible();
    Browser.screenshot(page, "44-plans-when-online");
  }

  @Test
  void an_admin_retires_a_machine_with_a_reason() throws Exception {
    io.holdfast.testing.Console api =
        new io.holdfast.testing.Console(app.baseUrl(), app.generatedAdminPassword());
    // a machine of its own, enrolled through the worker API, so the local worker keeps working
    io.restassured.RestAssured.given()
        .baseUri(app.baseUrl())
        .contentType("application/json")
        .body(
            "{\"token\":\"" + api.newToken() + "\",\"hostname\":\"old-laptop\",\"version\":\"t\"}")
        .post("/api/worker/v1/enrol")
        .then()
        .statusCode(200);
    long id = api.get("/api/v1/machines?q=old-laptop").getLong("items[0].id");

    Page page = browser.newPage(app.baseUrl());
    page.navigate("/login");
    signIn(page, "admin", app.generatedAdminPassword());
    assertThat(page.locator("#dashboard")).isVisible();
    page.navigate("/machines/" + id);
    page.locator("#retire-machine").click();
    // without a reason: refused with what to do, and nothing changes
    page.locator("#confirm-retire").click();
    assertThat(page.getByText("Say why the machine is retired")).isVisible();
    page.locator("#retire-reason textarea").fill("stolen from the car; written off (ticket 4712)");
    Browser.screenshot(page, "27-retire-machine-dialog");
    page.locator("#confirm-retire").click();
    assertThat(page.locator("#retire-reason")).not().isVisible();
    assertThat(page.getByText("old-laptop is retired")).isVisible();
    assertThat(page.locator("#machine-retired")).containsText("stolen from the car");
    assertThat(page.locator("#retire-machine")).not().isVisible();
    assertThat(page.locator("#backup-now")).not().isVisible();
    Browser.screenshot(page, "27b-machine-retired");
    page.navigate("/machines");
    assertThat(
            page.locator("#machines-grid vaadin-grid-cell-content")
                .filter(new Locator.FilterOptions().setHasText("retired")))
        .hasCount(1);
    Browser.screenshot(page, "27c-machines-with-retired");
  }

  @Test
  void a_wrong_password_shows_a_clear_message() {
    Page page = browser.newPage(app.baseUrl());
    page.navigate("/login");
    signIn(page, "admin", "certainly-not-it");
    page.waitForURL(Pattern.compile(".*error.*"));
    assertThat(page.getByText("Wrong username or password").first()).isVisible();
    Browser.screenshot(page, "90-login-error");
  }

  @Test
  void an_admin_changes_a_role_in_settings_and_reads_it_back_in_the_audit_detail() {
    io.holdfast.testing.Console api =
        new io.holdfast.testing.Console(app.baseUrl(), app.generatedAdminPassword());
    api.as()
        .body(
            "{\"username\":\"role-change\",\"role\":\"HELPDESK\",\"password\":\"helpdesk-password-2\"}")
        .post("/api/v1/users")
        .then()
        .statusCode(201);
    Page page = browser.newPage(app.baseUrl());
    page.navigate("/login");
    signIn(page, "admin", app.generatedAdminPassword());
    assertThat(page.locator("#dashboard")).isVisible();
    page.navigate("/settings");
    page.locator(".edit-user[data-user=role-change]").click();
    page.locator("#edit-role").click();
    page.locator("vaadin-select-item")
        .filter(new Locator.FilterOptions().setHasText("Operator"))
        .click();
    Browser.screenshot(page, "50-edit-user");
    page.locator("#save-user").click();
    assertThat(page.getByText("Saved role-change")).isVisible();

    page.navigate("/audit");
    page.locator("#audit-filter-action input").fill("user.role");
    Locator row =
        page.locator("#audit-grid vaadin-grid-cell-content")
            .filter(new Locator.FilterOptions().setHasText("user.role"))
            .first();
    assertThat(row).isVisible();
    row.click();
    assertThat(page.locator("#audit-change")).containsText("helpdesk");
    assertThat(page.locator("#audit-change")).containsText("operator");
    Browser.screenshot(page, "51-audit-detail");
  }

  private static void signIn(Page page, String username, String password) {
    page.locator("#vaadinLoginUsername input").fill(username);
    page.locator("#vaadinLoginPassword input").fill(password);
    page.locator("#vaadinLoginPassword input").press("Enter");
  }
}
