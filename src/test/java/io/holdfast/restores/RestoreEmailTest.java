package io.holdfast.restores;

import static io.holdfast.testing.TestUsers.as;
import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import io.agroal.api.AgroalDataSource;
import io.holdfast.testing.ImageFixture;
import io.holdfast.testing.SmtpTestResource;
import io.holdfast.testing.TestUsers;
import io.holdfast.testing.WorkerCalls;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The email notifier against a real SMTP server: approvers hear of a waiting request, the requester
 * of the decision and the outcome, the approver of the outcome.
 */
@QuarkusTest
@WithTestResource(SmtpTestResource.class)
class RestoreEmailTest {

  @SmtpTestResource.Inbox GreenMail smtp;
  @Inject AgroalDataSource db;

  @Test
  void request_decision_and_outcome_each_reach_the_right_people() throws Exception {
    String helpdesk = TestUsers.createWithEmail("helpdesk", "hana@holdfast.test");
    String approver = TestUsers.createWithEmail("admin", "boss@holdfast.test");
    ImageFixture fixture = ImageFixture.create(db);

    int id =
        as(helpdesk, TestUsers.PASSWORD)
            .body(fixture.restoreRequest(null, "/restore/whole.img"))
            .post("/api/v1/restores")
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    MimeMessage ask = awaitMail("boss@holdfast.test", "waits for approval");
    assertThat(GreenMailUtil.getBody(ask))
        .contains("Everything now on /restore/whole.img")
        .contains("user deleted the payroll folder")
        .contains("https://holdfast.test/restores");
    awaitMail(SmtpTestResource.APPROVERS, "Restore request " + id + " waits for approval");
    assertThat(mailsTo("hana@holdfast.test")).as("the requester is not asked").isEmpty();

    int job =
        as(approver, TestUsers.PASSWORD)
            .body("{\"comment\":\"checked with Hana\"}")
            .post("/api/v1/restores/" + id + "/approve")
            .then()
            .statusCode(200)
            .extract()
            .path("jobId");
    MimeMessage approved = awaitMail("hana@holdfast.test", "approved");
    assertThat(GreenMailUtil.getBody(approved)).contains("checked with Hana");

    List<Integer> handedOut =
        WorkerCalls.post(
                fixture.credential(), "poll", "{\"running\":[],\"capacity\":4,\"waitSeconds\":0}")
            .statusCode(200)
            .extract()
            .path("jobs.id");
    assertThat(handedOut).contains(job);
    WorkerCalls.post(fixture.credential(), "jobs/" + job + "/result", "{\"state\":\"succeeded\"}")
        .statusCode(204);
    awaitMail("hana@holdfast.test", "Your restore request " + id + " succeeded");
    awaitMail("boss@holdfast.test", "Restore request " + id + " succeeded");
    List<String> outcome =
        as(TestUsers.ADMIN, TestUsers.ADMIN_PASSWORD)
            .get("/api/v1/audit?action=restore.outcome&object=restore-request " + id)
            .then()
            .extract()
            .path("items.details");
    assertThat(outcome).containsExactly("restore job " + job + " succeeded");
    List<Integer> done =
        as(helpdesk, TestUsers.PASSWORD)
            .get("/api/v1/restores?state=done")
            .then()
            .extract()
            .path("items.id");
    List<Integer> stillApproved =
        as(helpdesk, TestUsers.PASSWORD)
            .get("/api/v1/restores?state=approved")
            .then()
            .extract()
            .path("items.id");
    assertThat(done).contains(id);
    assertThat(stillApproved).doesNotContain(id);
  }

  private MimeMessage awaitMail(String to, String subjectPart) throws Exception {
    return SmtpTestResource.awaitMail(smtp, to, subjectPart);
  }

  private List<MimeMessage> mailsTo(String to) throws Exception {
    return SmtpTestResource.mailsTo(smtp, to);
  }
}
