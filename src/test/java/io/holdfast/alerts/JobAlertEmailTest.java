package io.holdfast.alerts;

import static io.holdfast.testing.Sql.single;
import static io.holdfast.testing.TestUsers.as;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import io.agroal.api.AgroalDataSource;
import io.holdfast.plans.PlanService;
import io.holdfast.testing.ImageFixture;
import io.holdfast.testing.SmtpTestResource;
import io.holdfast.testing.TestMachine;
import io.holdfast.testing.TestUsers;
import io.holdfast.testing.WorkerCalls;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Alerts against a real SMTP server: who hears of a failed backup, that a scheduled backup is
 * reported once its plan gives up and not at each failure it retries, and that a damaged image and
 * a failed verify are reported.
 */
@QuarkusTest
@WithTestResource(SmtpTestResource.class)
class JobAlertEmailTest {

  @SmtpTestResource.Inbox GreenMail smtp;
  @Inject AgroalDataSource db;
  @Inject PlanService plans;

  @Test
  void a_failed_backup_reaches_admins_operators_and_the_alert_list_once_no_retry_follows()
      throws Exception {
    String tag = String.valueOf(System.nanoTime());
    TestUsers.createWithEmail("admin", "admin-" + tag + "@holdfast.test");
    String operator = TestUsers.createWithEmail("operator", "ops-" + tag + "@holdfast.test");
    TestUsers.createWithEmail("helpdesk", "hd-" + tag + "@holdfast.test");
    TestMachine alerted = TestMachine.enrol(db, "alerted");
    String host = alerted.name();
    String credential = alerted.credential();
    long machine = alerted.id();
    try (Connection c = db.getConnection()) {
      c.createStatement().executeUpdate("update repository set max_jobs = 1000000");
    }

    // a backup a person started fails: everyone who looks after backups hears of it
    long manual =
        ((Number)
                as(operator)
                    .body("{\"machine\":" + machine + "}")
                    .post("/api/v1/jobs/backup")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("job"))
            .longValue();
    runAndFail(credential, manual, "Disk /dev/vdz vanished while it was read");
    MimeMessage mail =
        SmtpTestResource.awaitMail(smtp, SmtpTestResource.ALERTS, "Backup of " + host + " failed");
    assertThat(SmtpTestResource.text(mail))
        .contains("Backup job " + manual + " on " + host + " failed after 1 attempt")
        .contains("Started by: " + operator + " (api)")
        .contains("Error: Disk /dev/vdz vanished while it was read")
        .contains("https://holdfast.test/jobs/" + manual);
    SmtpTestResource.awaitMail(smtp, "admin-" + tag + "@holdfast.test", "Backup of " + host);
    SmtpTestResource.awaitMail(smtp, "ops-" + tag + "@holdfast.test", "Backup of " + host);

    // a scheduled backup that fails is retried first; only its last failure is reported
    long plan =
        ((Number)
                as(operator)
                    .body(
                        """
                        {"name":"Alerted %s","machine":%d,"schedule":"0 2 * * *","timeZone":"UTC",
                         "retries":1,"retryWaitMinutes":30}
                        """
                            .formatted(tag, machine))
                    .post("/api/v1/plans")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("id"))
            .longValue();
    plans.queueDue(plans.get(plan).nextRun().plusSeconds(30));
    long scheduled = newestJobOfPlan(plan);
    runAndFail(credential, scheduled, "Repository folder is not mounted");
    long retry = newestJobOfPlan(plan);
    assertThat(retry).as("a retry is queued").isNotEqualTo(scheduled);
    try (Connection c = db.getConnection()) {
      // as if its 30 minutes had passed
      c.createStatement()
          .executeUpdate(
              "update job set not_before = now() - interval '1 second' where id = " + retry);
    }
    runAndFail(credential, retry, "Repository folder is not mounted");
    MimeMessage gaveUp = awaitBody("Backup job " + retry + " on " + host);
    assertThat(SmtpTestResource.text(gaveUp))
        .contains("Error: Repository folder is not mounted")
        .contains("Plan Alerted " + tag + ": that was its last retry (1); the next backup is due")
        .contains("https://holdfast.test/jobs/" + retry);
    List<MimeMessage> backups =
        SmtpTestResource.mailsTo(smtp, SmtpTestResource.ALERTS).stream()
            .filter(m -> subject(m).equals("[Holdfast] Backup of " + host + " failed"))
            .toList();
    assertThat(backups).as("the person's backup, and the plan's once it gave up").hasSize(2);
    assertThat(SmtpTestResource.mailsTo(smtp, "hd-" + tag + "@holdfast.test"))
        .as("helpdesk is not alerted")
        .isEmpty();
  }

  @Test
  void a_damaged_image_and_a_failed_verify_are_reported() throws Exception {
    ImageFixture fixture = ImageFixture.create(db);
    String operator = TestUsers.create("operator");
    long damaged = verify(operator, fixture);
    WorkerCalls.post(
            fixture.credential(),
            "jobs/" + damaged + "/result",
            """
            {"state":"succeeded","verify":{"sound":false,"chunksChecked":12,
             "detail":"1 bad chunk: 3f2a… (CRC mismatch), used by this image"}}
            """)
        .statusCode(204);
    MimeMessage mail =
        SmtpTestResource.awaitMail(
            smtp, SmtpTestResource.ALERTS, "of " + fixture.host() + " is damaged");
    assertThat(SmtpTestResource.text(mail))
        .contains("Verify job " + damaged + " found damage in image 20260101T000000Z-")
        .contains("1 bad chunk: 3f2a… (CRC mismatch), used by this image")
        .contains("Back the machine up again");

    long failed = verify(operator, fixture);
    WorkerCalls.post(
            fixture.credential(),
            "jobs/" + failed + "/result",
            "{\"state\":\"failed\",\"error\":\"Repository /srv/holdfast cannot be read\"}")
        .statusCode(204);
    MimeMessage failure =
        SmtpTestResource.awaitMail(
            smtp,
            SmtpTestResource.ALERTS,
            "Verify job " + failed + " on " + fixture.host() + " failed");
    assertThat(SmtpTestResource.text(failure))
        .contains("Error: Repository /srv/holdfast cannot be read");
  }

  /** Queues a verify of the fixture's image and has its worker take it. */
  private static long verify(String operator, ImageFixture fixture) {
    long job =
        ((Number)
                as(operator)
                    .body("{\"image\":" + fixture.image() + "}")
                    .post("/api/v1/jobs/verify")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("job"))
            .longValue();
    WorkerCalls.claim(fixture.credential(), job);
    return job;
  }

  private static void runAndFail(String credential, long job, String error) {
    WorkerCalls.claim(credential, job);
    WorkerCalls.post(
            credential,
            "jobs/" + job + "/result",
            "{\"state\":\"failed\",\"error\":\"" + error + "\"}")
        .statusCode(204);
  }

  private MimeMessage awaitBody(String part) throws Exception {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < deadline) {
      for (MimeMessage m : SmtpTestResource.mailsTo(smtp, SmtpTestResource.ALERTS)) {
        if (SmtpTestResource.text(m).contains(part)) {
          return m;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no alert saying '" + part + "'");
  }

  private static String subject(MimeMessage m) {
    try {
      return m.getSubject();
    } catch (jakarta.mail.MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  private long newestJobOfPlan(long plan) throws Exception {
    try (Connection c = db.getConnection()) {
      return single(c, "select max(id) from job where type = 'backup' and plan_id = " + plan);
    }
  }
}
