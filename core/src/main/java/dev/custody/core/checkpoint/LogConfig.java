package dev.custody.core.checkpoint;

import dev.custody.core.FormatException;
import dev.custody.core.internal.ledger.LedgerFiles;
import dev.custody.core.internal.ledger.LedgerLayout;
import dev.custody.core.internal.json.JsonFields;
import dev.custody.core.internal.json.StrictJson;
import dev.custody.core.merkle.MerkleHash;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The identity of a ledger's transparency log, {@code DIR/log/config.json} (format
 * {@value #FORMAT}):
 *
 * <pre>
 *   {"format":"custody/log/v1","origin":ORIGIN,"checkpointIntervalMillis":N}
 * </pre>
 *
 * <ul>
 *   <li>{@code origin}: the first line of every checkpoint of the log (C2SP tlog-checkpoint), also the
 *       name of the log key. {@code custody init} defaults it to {@code custody.local/<16 random hex>}.
 *   <li>{@code checkpointIntervalMillis}: automatic checkpoints. After a batch of appends is durable,
 *       the writer signs a checkpoint when at least this many milliseconds passed since its last one
 *       ({@code 0}: after every batch). Absent: automatic checkpoints are off ({@code custody
 *       checkpoint} still works). Default written by {@code custody init}:
 *       {@value #DEFAULT_CHECKPOINT_INTERVAL_MILLIS}.
 * </ul>
 *
 * Parsing is strict: unknown members, duplicate keys and other formats are rejected.
 *
 * @param origin the log origin, a valid checkpoint origin line
 * @param checkpointIntervalMillis empty when automatic checkpoints are off
 */
public record LogConfig(String origin, Optional<Long> checkpointIntervalMillis) {
  public static final String FORMAT = "custody/log/v1";
  /** Default interval of automatic checkpoints: one second, i.e. at most one signature and two fsyncs a second. */
  public static final long DEFAULT_CHECKPOINT_INTERVAL_MILLIS = 1000;
  private static final int MAX_BYTES = 64 * 1024;

  public LogConfig {
    Objects.requireNonNull(origin, "origin");
    Objects.requireNonNull(checkpointIntervalMillis, "checkpointIntervalMillis");
    Checkpoint.of(origin, 0, MerkleHash.EMPTY_ROOT); // validates the origin line
    if (checkpointIntervalMillis.isPresent() && checkpointIntervalMillis.get() < 0) {
      throw new IllegalArgumentException("checkpoint interval must be >= 0 ms, got " + checkpointIntervalMillis.get());
    }
  }

  /** The JSON text, one line with a final newline. */
  public String format() {
    StringBuilder sb = new StringBuilder("{\"format\":\"" + FORMAT + "\",\"origin\":");
    sb.append(quote(origin));
    checkpointIntervalMillis.ifPresent(ms -> sb.append(",\"checkpointIntervalMillis\":").append(ms));
    return sb.append("}\n").toString();
  }

  private static String quote(String s) {
    java.io.StringWriter w = new java.io.StringWriter();
    try (com.fasterxml.jackson.core.JsonGenerator g = StrictJson.factory().createGenerator(w)) {
      g.writeString(s);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return w.toString();
  }

  /** Parses the config file's bytes. */
  public static LogConfig parse(byte[] json, String what) throws FormatException {
    JsonFields f = StrictJson.parseObject(json, MAX_BYTES, what);
    String format = f.string("format");
    if (!format.equals(FORMAT)) {
      throw new FormatException(what + ": unsupported log config format '" + format + "' (this custody reads " + FORMAT + ")");
    }
    String origin = f.string("origin");
    Optional<Long> interval = f.has("checkpointIntervalMillis")
        ? Optional.of(f.unsigned("checkpointIntervalMillis")) : Optional.empty();
    f.requireNoOthers();
    try {
      return new LogConfig(origin, interval);
    } catch (IllegalArgumentException e) {
      throw new FormatException(what + ": " + e.getMessage(), e);
    }
  }

  /** Reads {@code DIR/log/config.json}, if the ledger has a log identity. */
  public static Optional<LogConfig> read(Path ledgerDir) throws IOException, FormatException {
    Path p = ledgerDir.resolve(LedgerLayout.LOG_CONFIG);
    Optional<byte[]> bytes = LedgerFiles.of(ledgerDir).readIfPresent(p, MAX_BYTES);
    return bytes.isEmpty() ? Optional.empty() : Optional.of(parse(bytes.get(), p.toString()));
  }

  /** The config as UTF-8 bytes. */
  public byte[] toBytes() {
    return format().getBytes(StandardCharsets.UTF_8);
  }
}
