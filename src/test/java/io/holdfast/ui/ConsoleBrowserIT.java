package io.holdfast.ui;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import io.holdfast.testing.AppProcess;
import io.holdfast.testing.Browser;
import java.nio.file.Path;
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
    app = AppProcess.start(dataDir, Map.of());
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
    Browser.screenshot(page, "01-dashboard");

    String[][] views = {
      {"Machines", "machines-view"},
      {"Images", "images-view"},
      {"Jobs", "jobs-view"},
      {"Plans", "plans-view"},
      {"Restores", "restores-view"},
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
  void a_wrong_password_shows_a_clear_message() {
    Page page = browser.newPage(app.baseUrl());
    page.navigate("/login");
    signIn(page, "admin", "certainly-not-it");
    page.waitForURL(Pattern.compile(".*error.*"));
    assertThat(page.getByText("Wrong username or password").first()).isVisible();
    Browser.screenshot(page, "90-login-error");
  }

  private static void signIn(Page page, String username, String password) {
    page.locator("#vaadinLoginUsername input").fill(username);
    page.locator("#vaadinLoginPassword input").fill(password);
    page.locator("#vaadinLoginPassword input").press("Enter");
  }
}
