package dev.custody.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The physical limit for signature verification: {@code openssl speed ed25519}, run as a child
 * process in the same benchmark run so that the ratio compares like with like on a shared machine.
 */
final class OpensslSpeed {
  /**
   * The result line, e.g. {@code " 253 bits EdDSA (Ed25519)   0.0000s   0.0001s  23872.7   9491.1"}:
   * sign time, verify time, sign/s, verify/s. The last column is verify/s.
   */
  private static final Pattern ED25519_LINE = Pattern.compile(
      "^\\s*253 bits EdDSA \\(Ed25519\\)\\s+\\S+s\\s+\\S+s\\s+([0-9.]+)\\s+([0-9.]+)\\s*$", Pattern.MULTILINE);

  /** Ed25519 sign/s and verify/s as openssl measured them. */
  record Rates(double signPerSec, double verifyPerSec, String command) {}

  private OpensslSpeed() {}

  /**
   * Runs {@code openssl speed [-multi processes] -seconds seconds ed25519}.
   *
   * @param processes 1 for the single-threaded figure; more adds {@code -multi}
   * @return empty if openssl is missing or its output has no Ed25519 line
   */
  static java.util.Optional<Rates> ed25519(String openssl, int processes, int seconds) {
    List<String> cmd = new ArrayList<>(List.of(openssl, "speed"));
    if (processes > 1) {
      cmd.addAll(List.of("-multi", Integer.toString(processes)));
    }
    cmd.addAll(List.of("-seconds", Integer.toString(seconds), "ed25519"));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(false)
          .redirectError(ProcessBuilder.Redirect.DISCARD).start();
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(seconds * 4L + 30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return java.util.Optional.empty();
      }
      Matcher m = ED25519_LINE.matcher(out);
      if (!m.find()) {
        return java.util.Optional.empty();
      }
      return java.util.Optional.of(new Rates(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2)),
          String.join(" ", cmd)));
    } catch (IOException e) {
      return java.util.Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return java.util.Optional.empty();
    }
  }

  static OptionalDouble verifyPerSec(java.util.Optional<Rates> r) {
    return r.isPresent() ? OptionalDouble.of(r.get().verifyPerSec()) : OptionalDouble.empty();
  }
}
