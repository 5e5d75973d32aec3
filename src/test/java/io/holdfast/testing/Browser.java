package io.holdfast.testing;

import com.microsoft.playwright.Browser.NewContextOptions;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Debian's Chromium driven by Playwright; Playwright's own browser download is not used. One per
 * test class, since each Playwright unpacks its driver.
 */
public final class Browser implements AutoCloseable {

  public static final Path SCREENSHOTS = Path.of("target", "screenshots");
  private final Playwright playwright;
  private final com.microsoft.playwright.Browser chromium;

  public Browser() {
    playwright =
        Playwright.create(
            new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    String executable = System.getProperty("holdfast.chromium", "/usr/bin/chromium");
    chromium =
        playwright
            .chromium()
            .launch(
                new BrowserType.LaunchOptions()
                    .setExecutablePath(Path.of(executable))
                    .setHeadless(true)
                    .setArgs(
                        List.of(
                            "--no-sandbox",
                            "--disable-gpu",
                            "--disable-quic",
                            "--no-first-run",
                            "--disable-background-networking",
                            "--disable-component-update",
                            "--disable-sync")));
  }

  public Page newPage(String baseUrl) {
    return chromium
        .newContext(new NewContextOptions().setBaseURL(baseUrl).setViewportSize(1400, 900))
        .newPage();
  }

  public static void screenshot(Page page, String name) {
    try {
      Files.createDirectories(SCREENSHOTS);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOTS.resolve(name + ".png")));
  }

  @Override
  public void close() {
    chromium.close();
    playwright.close();
  }
}
