package dev.custody.verify.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchRender {
  @TempDir Path tmp;

  @Test
  void render() throws Exception {
    ReportScenario.Verified v = ReportScenario.standard().verify(tmp.resolve("acme-ledger"));
    String html = HtmlReportRenderer.render(v.report(), Optional.of(v.lineage()));
    Files.writeString(Path.of("/tmp/report-scratch.html"), html);
    v.report().findings().forEach(System.out::println);
  }
}
