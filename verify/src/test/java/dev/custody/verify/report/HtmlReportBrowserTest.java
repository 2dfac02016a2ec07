package dev.custody.verify.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import dev.custody.verify.Finding;
import dev.custody.verify.FindingCode;
import dev.custody.verify.Severity;
import dev.custody.verify.VerificationReport;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Opens real HTML reports in a real browser — Debian's {@code chromium}, driven through
 * {@code chromedriver} with Selenium — and checks what a reader gets: the DOM holds the lineage's
 * steps, links, marks and findings; the page's style sheet applies (its CSP hash is right); hostile
 * text ran no script and injected no element; the browser made no network request; and the
 * screenshot is a picture, not a blank page. Screenshots are saved under
 * {@code verify/target/html-report/}.
 *
 * <p>Needs the Debian packages {@code chromium} and {@code chromium-driver}; without them the test
 * fails and says so (it does not skip). Selenium Manager is never asked to find or download
 * anything: the driver and browser paths are given.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HtmlReportBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path OUT = Path.of("target", "html-report");
  /** The error colour of the style sheet (--err, #b42318). */
  static final int ERROR_RGB = 0xb42318;
  static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  @TempDir Path tmp;
  private ChromeDriver driver;
  private ChromeDriverService service;
  private NetworkTrap trap;
  private final List<LogRecord> seleniumLog = Collections.synchronizedList(new ArrayList<>());
  private final Handler seleniumLogHandler = new Handler() {
    @Override
    public void publish(LogRecord r) {
      seleniumLog.add(r);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private final List<Logger> watched = new ArrayList<>();
  private Path profile;

  @BeforeAll
  void browser() throws IOException {
    assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
        .withFailMessage("The HTML report's browser test needs Chromium and its WebDriver: /usr/bin/chromium and"
            + " /usr/bin/chromedriver. Install the Debian packages: apt-get install chromium chromium-driver")
        .isTrue();
    for (String name : List.of("org.openqa.selenium.manager", "org.openqa.selenium.remote.service.DriverFinder")) {
      Logger l = Logger.getLogger(name);
      l.setLevel(Level.ALL);
      l.addHandler(seleniumLogHandler);
      watched.add(l);
    }
    trap = new NetworkTrap();
    Files.createDirectories(OUT);
    profile = Files.createTempDirectory("custody-chromium-profile");
    service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
        .withLogOutput(java.io.OutputStream.nullOutputStream()).build();
    ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
        .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
            "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=1280,1000",
            "--no-pings", "--disable-domain-reliability", "--disable-client-side-phishing-detection",
            "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,Translate,MediaRouter,AutofillServerCommunication",
            "--user-data-dir=" + profile,
            // Everything the browser itself sends (its own update, time and sign-in pings, which the flags above do
            // not all silence) goes to the trap, loopback included: the test never touches the network.
            "--proxy-server=http://127.0.0.1:" + trap.port(), "--proxy-bypass-list=<-loopback>");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    logs.enable(LogType.PERFORMANCE, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
  }

  @AfterAll
  void close() throws IOException {
    if (driver != null) {
      driver.quit();
    }
    if (trap != null) {
      trap.close();
    }
    watched.forEach(l -> l.removeHandler(seleniumLogHandler));
    if (profile != null) {
      com.google.common.io.MoreFiles.deleteRecursively(profile, com.google.common.io.RecursiveDeleteOption.ALLOW_INSECURE);
    }
  }

  private void open(Path page) {
    driver.manage().logs().get(LogType.PERFORMANCE); // drop the events of earlier pages
    driver.get(page.toUri().toString());
  }

  /**
   * Every URL the page requested (DevTools {@code Network.requestWillBeSent} events for the page's
   * document, from chromedriver's performance log), other than the page itself: a self-contained
   * page has none. Requests of the browser's own pages ({@code chrome://…}) are not the page's.
   */
  private List<String> requestsBeyond(Path page) throws IOException {
    String self = page.toUri().toString();
    List<String> urls = new ArrayList<>();
    for (LogEntry e : driver.manage().logs().get(LogType.PERFORMANCE).getAll()) {
      com.fasterxml.jackson.databind.JsonNode m = JSON.readTree(e.getMessage()).path("message");
      if (m.path("method").asText().equals("Network.requestWillBeSent")) {
        String url = m.path("params").path("request").path("url").asText();
        String document = m.path("params").path("documentURL").asText();
        if ((document.equals(self) || url.startsWith("file:")) && !url.equals(self)) {
          urls.add(url + " (for " + document + ")");
        }
      }
    }
    return urls;
  }

  private static String attr(WebElement e, String name) {
    return e.getDomAttribute(name);
  }

  @Test
  void scenarioReport_inChromium_showsVerdictNodesLinksMarksAndFindings() throws Exception {
    ReportScenario.Verified v = ReportScenario.standard().verify(tmp.resolve("acme-ledger"));
    Path page = OUT.resolve("scenario.html");
    Files.writeString(page, HtmlReportRenderer.render(v.report(), Optional.of(v.lineage())), StandardCharsets.UTF_8);

    open(page);

    WebElement verdict = driver.findElement(By.id("verdict"));
    assertThat(attr(verdict, "data-verdict")).isEqualTo("FAILED");
    assertThat(verdict.getText()).contains("FAILED", "1 error", "2 warnings", "10 entries checked", "3 chains");
    // The style sheet applied: the page's CSP allows it by hash, so a wrong hash would leave this unstyled.
    assertThat(verdict.getCssValue("background-color")).isEqualTo("rgba(180, 35, 24, 1)");

    Set<String> nodes = driver.findElements(By.cssSelector("svg.lineage g.step")).stream()
        .map(e -> attr(e, "data-entry")).collect(Collectors.toSet());
    assertThat(nodes).containsExactlyInAnyOrder("acme/corpus:0", "acme/base:0", "acme/base:1", "acme/base:2",
        "acme/base:3", "beta/ft:0", "beta/ft:1", "beta/ft:2", "beta/ft:3", "beta/ft:4");
    Set<String> links = driver.findElements(By.cssSelector("svg.lineage g.link")).stream()
        .map(e -> attr(e, "data-type") + " " + attr(e, "data-from") + " > " + attr(e, "data-to"))
        .collect(Collectors.toSet());
    assertThat(links).containsExactlyInAnyOrder(
        "artifact acme/corpus:0 > acme/base:0",
        "artifact acme/base:0 > acme/base:1",
        "artifact acme/base:0 > acme/base:2",
        "artifact acme/base:0 > beta/ft:0",
        "subject acme/base:2 > acme/base:3",
        "artifact beta/ft:0 > beta/ft:1",
        "artifact beta/ft:1 > beta/ft:2",
        "artifact beta/ft:1 > beta/ft:4",
        "root root:" + ReportScenario.LLAMA + " > acme/base:0",
        "root root:" + ReportScenario.INSTRUCTIONS + " > beta/ft:0",
        "root root:" + ReportScenario.FORGED + " > beta/ft:3");
    assertThat(driver.findElement(By.cssSelector("g.root[data-root='declared']")).getText())
        .contains("llama-3-8b (published by meta)");

    WebElement failing = driver.findElement(By.cssSelector("g.step[data-entry='beta/ft:0']"));
    assertThat(attr(failing, "data-status")).isEqualTo("error");
    assertThat(failing.getText()).contains("fine-tune", "ERROR LINEAGE_INPUT_UNPROVEN");
    WebElement box = failing.findElement(By.cssSelector("rect.box"));
    assertThat(box.getCssValue("stroke")).isEqualTo("rgb(180, 35, 24)");
    assertThat(attr(driver.findElement(By.cssSelector("g.step[data-entry='beta/ft:3']")), "data-status"))
        .isEqualTo("warning");
    assertThat(driver.findElements(By.cssSelector("g.step[data-status='ok']"))).hasSize(8);

    // The marked node links to its finding, which names the entry and links back.
    String href = attr(failing.findElement(By.tagName("a")), "href");
    WebElement row = driver.findElement(By.id(href.substring(1)));
    assertThat(attr(row, "data-code")).isEqualTo("LINEAGE_INPUT_UNPROVEN");
    assertThat(attr(row, "data-entry")).isEqualTo("beta/ft:0");
    assertThat(row.getText()).contains("instructions", "externalRoots");
    assertThat(attr(row.findElement(By.cssSelector("a")), "href")).isEqualTo("#" + attr(failing, "id"));

    List<String> groups = driver.findElements(By.cssSelector("#findings h3")).stream().map(WebElement::getText).toList();
    assertThat(groups).containsExactly("Errors (1)", "Warnings (2)");
    assertThat(driver.findElements(By.cssSelector("svg.timeline circle.t-step"))).hasSize(10);
    assertThat(driver.findElements(By.cssSelector("svg.timeline g.t-lane"))).hasSize(3);
    assertThat(driver.findElement(By.cssSelector("table.releases")).getText())
        .contains(ReportScenario.QUANT.toString(), "2.0", "WARNING");

    assertThat(scriptsAndForeignElements()).isEmpty();
    assertThat(consoleProblems()).isEmpty();

    driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 3400));
    byte[] full = driver.getScreenshotAs(OutputType.BYTES);
    Files.write(OUT.resolve("scenario.png"), full);
    byte[] picture = driver.findElement(By.cssSelector("#lineage .figure")).getScreenshotAs(OutputType.BYTES);
    Files.write(OUT.resolve("scenario-lineage.png"), picture);
    driver.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1000));

    // Following the marked node's link shows its finding.
    driver.findElement(By.cssSelector("g.step[data-entry='beta/ft:0'] text.n-kind")).click();
    assertThat(driver.getCurrentUrl()).endsWith(href);

    Pixels page1 = Pixels.of(full);
    assertThat(page1.distinctColours).as("distinct colours of the page").isGreaterThan(200);
    assertThat(page1.nonBackground).as("share of the page that is not background").isGreaterThan(0.05);
    Pixels lineage = Pixels.of(picture);
    assertThat(lineage.distinctColours).as("distinct colours of the lineage picture").isGreaterThan(50);
    assertThat(lineage.near(ERROR_RGB)).as("pixels of the failing node's red border").isGreaterThan(200);

    assertNothingLoadedAndNoSeleniumManager(page);
  }

  @Test
  void hostileReport_inChromium_runsNoScriptAndShowsTheTextInert() throws Exception {
    String ledgerName = "ledger\"><img src=x onerror=alert(1)>&\u202Eevil";
    ReportScenario s = ReportScenario.standard();
    s.add("beta/ft", Event.builder(EventType.of("urn:x:'\u202Egnp.exe&x=1")).input(ReportScenario.model("model",
        ReportScenario.QUANT)).parameter("note", "</title></text></svg><script>alert(2)</script>").build(), s.beta);
    ReportScenario.Verified v = s.verify(tmp.resolve(ledgerName));
    VerificationReport report = v.report().withFindings(List.of(new Finding(FindingCode.LINEAGE_INPUT_UNPROVEN,
        Severity.WARNING, Optional.empty(), "a message that forgot to quote <script>alert(3)</script> \u202E")));
    HtmlReportOptions options = HtmlReportOptions.defaults()
        .withSignerLabel(step -> "<img src=x onerror=alert(4)> " + step.keyId().substring(0, 8));
    Path page = OUT.resolve("hostile.html");
    Files.writeString(page, HtmlReportRenderer.render(report, Optional.of(v.lineage()), options), StandardCharsets.UTF_8);

    open(page);

    assertThatThrownBy(() -> driver.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    assertThat(scriptsAndForeignElements()).isEmpty();
    assertThat(driver.findElement(By.cssSelector("#verdict code")).getText())
        .endsWith("ledger\"><img src=x onerror=alert(1)>&\\u202Eevil");
    WebElement custom = driver.findElement(By.cssSelector("g.step[data-entry='beta/ft:5']"));
    assertThat(attr(custom, "data-kind")).isEqualTo("urn:x:'\\u202Egnp.exe&x=1");
    assertThat(custom.findElement(By.cssSelector("text.n-kind")).getText()).isEqualTo("urn:x:'\\u202Egnp.exe&x=1");
    assertThat(driver.findElement(By.cssSelector("g.step[data-entry='beta/ft:5'] > title")).getDomProperty("textContent"))
        .contains("parameter note = </title></text></svg><script>alert(2)</script>");
    assertThat(driver.findElement(By.cssSelector("table.chains")).getText()).contains("<img src=x onerror=alert(4)>");
    assertThat(driver.getPageSource()).doesNotContain("\u202E");
    assertThat(consoleProblems()).isEmpty();
    Files.write(OUT.resolve("hostile.png"), driver.getScreenshotAs(OutputType.BYTES));
    assertNothingLoadedAndNoSeleniumManager(page);
  }

  /** Elements that only injected markup could have made: the renderer writes none of them. */
  private List<String> scriptsAndForeignElements() {
    return driver.findElements(By.cssSelector("script, img, iframe, object, embed, link, form, input, b, base, meta[http-equiv='refresh']"))
        .stream().map(WebElement::getTagName).toList();
  }

  /** Console messages of level warning or worse, e.g. a CSP violation (the page tried to load or run something). */
  private List<String> consoleProblems() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).map(LogEntry::getMessage).toList();
  }

  private void assertNothingLoadedAndNoSeleniumManager(Path page) throws IOException {
    assertThat(requestsBeyond(page)).as("what the page requested besides itself").isEmpty();
    assertThat(trap.requests()).as("requests that reached the trap proxy").noneMatch(r -> r.contains("file:"));
    List<String> messages = seleniumLog.stream().map(r -> r.getLoggerName() + ": " + r.getMessage()).toList();
    assertThat(messages).as("Selenium's driver discovery").anySatisfy(m -> assertThat(m)
        .contains("Skipping Selenium Manager, path to chromedriver specified in Service class"));
    assertThat(messages).as("Selenium Manager log").noneMatch(m -> m.startsWith("org.openqa.selenium.manager"));
  }

  /** Pixel statistics of a PNG screenshot. */
  static final class Pixels {
    final int distinctColours;
    final double nonBackground;
    private final BufferedImage image;

    private Pixels(BufferedImage image) {
      this.image = image;
      Map<Integer, Integer> counts = new java.util.HashMap<>();
      for (int y = 0; y < image.getHeight(); y++) {
        for (int x = 0; x < image.getWidth(); x++) {
          counts.merge(image.getRGB(x, y) & 0xffffff, 1, Integer::sum);
        }
      }
      int background = counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getValue();
      this.distinctColours = counts.size();
      this.nonBackground = 1 - (double) background / ((long) image.getWidth() * image.getHeight());
    }

    static Pixels of(byte[] png) throws IOException {
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
      assertThat(image).as("the screenshot decodes as an image").isNotNull();
      return new Pixels(image);
    }

    /** Pixels within a small distance of {@code rgb}. */
    int near(int rgb) {
      int n = 0;
      for (int y = 0; y < image.getHeight(); y++) {
        for (int x = 0; x < image.getWidth(); x++) {
          int p = image.getRGB(x, y);
          if (Math.abs(((p >> 16) & 0xff) - ((rgb >> 16) & 0xff)) + Math.abs(((p >> 8) & 0xff) - ((rgb >> 8) & 0xff))
              + Math.abs((p & 0xff) - (rgb & 0xff)) <= 24) {
            n++;
          }
        }
      }
      return n;
    }
  }

  /** A proxy that answers nothing and records every connection: the browser's only way to the network. */
  static final class NetworkTrap implements AutoCloseable {
    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    private final Thread thread;

    NetworkTrap() throws IOException {
      thread = new Thread(this::serve, "network-trap");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return server.getLocalPort();
    }

    List<String> requests() {
      return List.copyOf(requests);
    }

    private void serve() {
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          s.setSoTimeout(2000);
          InputStream in = s.getInputStream();
          StringBuilder line = new StringBuilder();
          for (int c; (c = in.read()) > 0 && c != '\n' && line.length() < 300; ) {
            line.append((char) c);
          }
          requests.add(line.toString().trim());
        } catch (IOException e) {
          if (!server.isClosed()) {
            requests.add("connection: " + e);
          }
        }
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
