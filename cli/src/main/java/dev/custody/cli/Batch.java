package dev.custody.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.attest.AttestException;
import dev.custody.core.entry.EntryRef;
import dev.custody.attest.Ledger;
import dev.custody.attest.EntrySigner;
import dev.custody.attest.SignedEntry;
import dev.custody.attest.Signer;
import dev.custody.core.FormatException;
import dev.custody.core.Digest;
import dev.custody.core.entry.EntryCodec;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.event.Event;
import dev.custody.core.internal.json.JsonFields;
import dev.custody.core.internal.json.StrictJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code custody record --batch}: one event per line of a JSON-lines input, all or nothing on bad
 * input, in bounded memory whatever the batch's length.
 *
 * <p><b>Two passes.</b> {@link #check} reads the input once and checks every line — strict UTF-8,
 * strict JSON without lone surrogates, a valid chain and event, and a signed record that cannot
 * exceed {@link EntryRecord#MAX_RECORD_BYTES} — keeping nothing but a count and a SHA-256 of the
 * bytes read; {@link #record} then reads it again and appends. Only when every line passed is
 * anything appended: a bad line records nothing. The input must be readable twice: a regular file,
 * or standard input copied by the caller into a private file during the first pass. A file changed
 * between the passes is detected (a line that no longer passes, or a different SHA-256 at the end)
 * and reported; what was recorded then is exactly what the printed references say.
 *
 * <p><b>Size bound.</b> The sequence number, {@code prev} and time of an entry are known only once
 * it is appended, so a line is checked against the largest record it can make: the longest sequence
 * number, a {@code prev}, and a time with nine fraction digits ({@link EntrySigner#recordLength}).
 * A line within about 110 bytes of the limit may therefore be refused although its record would
 * have fitted.
 *
 * <p><b>Signing ahead.</b> In the second pass the lines are checked again and their entries signed
 * on worker threads — entries of different chains in parallel, each chain's in order — for the
 * positions they will take, and handed to the store in input order ({@link Signing}); an entry whose
 * position moved because another writer appended to its chain meanwhile is signed again by the store
 * for its true position. The ledger is the one appending line by line writes: same entries, chain
 * links and log order. The second pass leaves out the size bound (the first checked it; the store
 * refuses any record over the limit, naming the line, should the file have changed).
 *
 * <p><b>References.</b> Each reference is printed and flushed as soon as its entry is durable, by a
 * printer thread that waits on the appends in order while the caller's thread reads and submits
 * the next lines: a caller killed mid-batch has seen the reference of every entry durable
 * before the group commit in progress. At most {@value #WINDOW_ENTRIES} entries or
 * {@value #WINDOW_BYTES} bytes of lines are in flight, which bounds memory and still fills group
 * commits. If an append fails (a full disk, say), the lines after it are not submitted, the
 * references of every entry that did become durable are still printed, and the error names the line.
 */
final class Batch {
  /** Longest line read: its event alone would fill a record, and the parser's own limit is the same. */
  static final int MAX_LINE_BYTES = EntryRecord.MAX_RECORD_BYTES;
  /** Entries in flight at once: enough to fill group commits. */
  static final int WINDOW_ENTRIES = 4096;
  /** Bytes of lines in flight at once: bounds memory when lines are large. */
  static final int WINDOW_BYTES = 8 << 20;

  /** The latest time custody writes (RFC 3339 four-digit years) with nine fraction digits: the longest. */
  private static final Instant LONGEST_TIME = Instant.parse("9999-12-31T23:59:59.999999999Z");
  private static final Digest ANY_PREV = Digest.sha256(new byte[0]);

  private final String name;
  private final Signer signer;
  /** Strict: malformed input is reported, never replaced. One per thread: lines are parsed on several. */
  private final ThreadLocal<CharsetDecoder> utf8 = ThreadLocal.withInitial(() -> StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPORT)
      .onUnmappableCharacter(CodingErrorAction.REPORT));
  private final ThreadLocal<CharBuffer> chars = ThreadLocal.withInitial(() -> CharBuffer.allocate(4096));

  /**
   * @param name the input as messages name it, already quoted ({@code 'FILE'} or {@code stdin})
   * @param signer the key the entries will be signed with (its algorithm fixes the signature size)
   */
  Batch(String name, Signer signer) {
    this.name = name;
    this.signer = signer;
  }

  /** A line that passed: where it is, its chain, its event, and its size in bytes. */
  record Line(long number, String chain, Event event, int bytes) {}

  /** What the first pass saw: how many events, and the SHA-256 of every byte read. */
  record Checked(long events, Digest digest) {}

  /** Told each good line's chain during the first pass, in input order; may refuse the batch. */
  @FunctionalInterface
  interface ChainCheck {
    ChainCheck ANY = (line, chain) -> {};

    void line(long number, String chain) throws CommandError;
  }

  /** Pass 1 with no chain check. */
  Checked check(InputStream in, OutputStream copy) throws IOException, FormatException {
    try {
      return check(in, copy, ChainCheck.ANY);
    } catch (CommandError e) {
      throw new IllegalStateException(e); // ANY refuses nothing
    }
  }

  /**
   * Pass 1: checks every line of {@code in}, copying the bytes to {@code copy} if not null, and
   * tells {@code chains} each line's chain.
   *
   * @throws FormatException naming the input and the line of the first bad one
   * @throws CommandError if {@code chains} refused a line's chain
   */
  Checked check(InputStream in, OutputStream copy, ChainCheck chains)
      throws IOException, FormatException, CommandError {
    MessageDigest sha = Digest.newSha256();
    long events = 0;
    try (Parsed lines = new Parsed(new LineReader(new DigestInputStream(in, sha), copy), true)) {
      Object next;
      while ((next = lines.next()) != Parsed.END) {
        if (next instanceof FormatException e) {
          throw e;
        }
        if (next instanceof Line line) {
          chains.line(line.number(), line.chain());
          events++;
        }
      }
    }
    if (events == 0) {
      throw new FormatException(name + ": no events (expected one JSON object per line)");
    }
    return new Checked(events, Digest.ofSha256(sha.digest()));
  }

  /**
   * Pass 2: appends every line of {@code in}, which must be the input {@code checked} describes,
   * printing each reference as one JSON line as soon as it is durable.
   *
   * @throws FormatException if the input changed since it was checked
   * @throws AttestException if an append failed; the references printed are recorded
   */
  void record(InputStream in, Checked checked, Ledger ledger, PrintWriter out)
      throws IOException, FormatException, AttestException {
    MessageDigest sha = Digest.newSha256();
    Printer printer = new Printer(out);
    printer.start();
    try (Parsed lines = new Parsed(new LineReader(new DigestInputStream(in, sha), null), false)) {
      Signing signing = new Signing(lines.pool, ledger);
      Object next;
      while ((next = lines.next()) != Parsed.END && printer.failure.get() == null) {
        if (next instanceof FormatException e) {
          // The lines before it are appended, as when each line was appended as soon as it was read.
          while (signing.waiting() && printer.failure.get() == null) {
            signing.appendOldest(ledger, printer);
          }
          throw changed(e.getMessage());
        }
        if (next instanceof Line line) {
          signing.submit(line);
          // In input order: every entry already signed, and the oldest even if not while too many wait.
          while (signing.oldestReady() && printer.failure.get() == null) {
            signing.appendOldest(ledger, printer);
          }
        }
      }
      while (signing.waiting() && printer.failure.get() == null) {
        signing.appendOldest(ledger, printer);
      }
    } catch (InterruptedException | InterruptedIOException e) {
      Thread.currentThread().interrupt();
      throw new AttestException(name + ": interrupted; the entries whose references were printed are recorded", e);
    } finally {
      printer.finish();
    }
    Failure f = printer.failure.get();
    if (f != null) {
      throw new AttestException(name + " line " + f.line() + ": " + f.message()
          + "; the entries whose references were printed are recorded, the others are not", f.cause());
    }
    Digest now = Digest.ofSha256(sha.digest());
    if (!now.equals(checked.digest())) {
      throw changed("its SHA-256 is " + now + ", it was " + checked.digest() + " when it was checked");
    }
  }

  private FormatException changed(String detail) {
    return new FormatException(name + " changed while it was being recorded (" + detail + "); the entries whose"
        + " references were printed are recorded, the others are not");
  }

  /** The line's chain and event, or null for a blank line (package-private for its fuzz test). */
  Line parse(byte[] raw, long number) throws FormatException {
    return parse(raw, number, true);
  }

  /**
   * {@link #parse(byte[], long)}, checking the signed record's size bound only if {@code bound}: the
   * second pass leaves it out (the bound costs an encoding of the whole entry; the lines were checked
   * against it in the first pass, and the store refuses a record over the limit whatever its line).
   */
  private Line parse(byte[] raw, long number, boolean bound) throws FormatException {
    String where = name + " line " + number;
    requireUtf8(raw, where);
    if (isBlank(raw)) {
      return null;
    }
    JsonNode node = StrictJson.parseObjectNode(raw, where);
    StrictJson.requireWellFormedText(node, where);
    ObjectNode obj = (ObjectNode) node;
    JsonNode chain = obj.remove("chain");
    if (chain == null || !chain.isTextual()) {
      throw new FormatException(where + ": missing string member 'chain'");
    }
    JsonNode k = obj.remove("kind");
    if (k != null) {
      if (obj.has("type")) {
        throw new FormatException(where + ": give the event kind as 'kind' or 'type', not both");
      }
      obj.set("type", k);
    }
    try {
      EntryPayload.requireChainId(chain.textValue());
    } catch (IllegalArgumentException e) {
      throw new FormatException(where + ": " + e.getMessage(), e);
    }
    Event event = EntryCodec.decodeEvent(JsonFields.of(obj, where));
    if (!bound) {
      return new Line(number, chain.textValue(), event, raw.length);
    }
    int longest = EntrySigner.recordLength(new EntryPayload(chain.textValue(), Long.MAX_VALUE, Optional.of(ANY_PREV),
        signer.keyId(), LONGEST_TIME, event), signer);
    if (longest > EntryRecord.MAX_RECORD_BYTES) {
      throw new FormatException(where + ": its signed record could be " + longest + " bytes, over the limit of "
          + EntryRecord.MAX_RECORD_BYTES + " (a record holds the event in base64, about 4/3 of its size); keep large"
          + " data in artifacts and record their digests");
    }
    return new Line(number, chain.textValue(), event, raw.length);
  }

  /** Strict UTF-8: malformed and unmappable bytes (overlong forms, encoded surrogates) are errors, never replaced. */
  private void requireUtf8(byte[] raw, String where) throws FormatException {
    CharsetDecoder decoder = utf8.get();
    CharBuffer out = chars.get();
    decoder.reset();
    ByteBuffer in = ByteBuffer.wrap(raw);
    CoderResult res;
    do {
      out.clear(); // only validity matters here; the JSON parser reads the bytes
      res = decoder.decode(in, out, true);
    } while (res.isOverflow());
    if (res.isError()) {
      throw new FormatException(where + ": not valid UTF-8 at byte " + (in.position() + 1) + " of the line (custody"
          + " records text as UTF-8; convert the input, e.g. with iconv)");
    }
  }

  /** Only JSON whitespace (RFC 8259 §2). */
  private static boolean isBlank(byte[] raw) {
    for (byte b : raw) {
      if (b != ' ' && b != '\t' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------- lines

  /** '\n'-terminated lines (the last may lack it), each at most {@link #MAX_LINE_BYTES}, read with one buffer. */
  private final class LineReader {
    private final InputStream in;
    private final OutputStream copy;
    /** Bytes read from {@code in} and not yet handed out: window[pos, limit). Scanned, not read byte by byte. */
    private final byte[] window = new byte[1 << 16];
    private int pos;
    private int limit;
    private boolean ended;
    private byte[] buf = new byte[8192];
    private long number;

    LineReader(InputStream in, OutputStream copy) {
      this.in = in;
      this.copy = copy;
    }

    long number() {
      return number;
    }

    /** The next line without its '\n', or null at the end. */
    byte[] next() throws IOException, FormatException {
      int len = 0;
      boolean newline = false;
      while (!newline) {
        if (pos == limit) {
          int n = ended ? -1 : in.read(window, 0, window.length);
          if (n < 0) {
            ended = true;
            break;
          }
          pos = 0;
          limit = n;
          continue;
        }
        int end = pos;
        while (end < limit && window[end] != '\n') {
          end++;
        }
        newline = end < limit;
        if (end - pos > MAX_LINE_BYTES - len) {
          throw new FormatException(name + " line " + (number + 1) + " is longer than " + MAX_LINE_BYTES + " bytes"
              + " (its record could not fit the limit of " + EntryRecord.MAX_RECORD_BYTES + " bytes)");
        }
        if (len + end - pos > buf.length) {
          buf = Arrays.copyOf(buf, Math.min(MAX_LINE_BYTES, Math.max(buf.length * 2, len + end - pos)));
        }
        System.arraycopy(window, pos, buf, len, end - pos);
        len += end - pos;
        pos = newline ? end + 1 : end;
      }
      if (!newline && len == 0) {
        return null;
      }
      number++;
      if (copy != null) {
        // Exactly the bytes read: the second pass hashes the copy and compares it with this pass's hash.
        copy.write(buf, 0, len);
        if (newline) {
          copy.write('\n');
        }
      }
      return Arrays.copyOf(buf, len);
    }
  }

  // ---------------------------------------------------------------- parsing ahead, in parallel

  /**
   * The lines of a reader, parsed ahead of the caller on worker threads and handed out in input
   * order: the calling thread reads (and hashes, and copies) the lines and, in the second pass, signs
   * and appends, while the workers check the lines that follow. Whatever the order in which workers
   * finish, the caller sees line 1, then line 2, ..., and the first error in input order: a line over
   * the length limit is reported only after every line before it, as when lines were read one by one.
   * At most {@value #CHUNKS_AHEAD} chunks of at most {@value #CHUNK_LINES} lines or
   * {@value #CHUNK_BYTES} bytes (plus one line) are read ahead.
   */
  private final class Parsed implements AutoCloseable {
    static final Object END = new Object();
    static final Object BLANK = new Object();
    static final int CHUNK_LINES = 256;
    /** Small enough that the first entries reach the group commit soon (a batch starts appending at once). */
    static final int CHUNK_BYTES = 64 << 10;
    static final int CHUNKS_AHEAD = 4;

    /** A chunk read: its results (a Line, BLANK or the line's FormatException), then the reader's error, if any. */
    private record Chunk(Future<Object[]> results, FormatException readError) {}

    private final LineReader reader;
    /** Checks lines; {@link Signing} signs on it too (no task on it ever waits for another). */
    final ExecutorService pool;
    private final ArrayDeque<Chunk> ahead = new ArrayDeque<>();
    private Object[] current = new Object[0];
    private int at;
    private FormatException currentReadError;
    private boolean eof;

    /** Whether lines are checked against the signed record's size bound (the first pass). */
    private final boolean bound;

    Parsed(LineReader reader, boolean bound) {
      this.reader = reader;
      this.bound = bound;
      int workers = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
      this.pool = Executors.newFixedThreadPool(workers, r -> {
        Thread t = new Thread(r, "custody-batch-parse");
        t.setDaemon(true);
        return t;
      });
    }

    /** The next line's result: a {@link Line}, {@link #BLANK}, a {@link FormatException}, or {@link #END}. */
    Object next() throws IOException {
      while (at == current.length) {
        if (currentReadError != null) {
          FormatException e = currentReadError;
          currentReadError = null;
          eof = true;
          ahead.clear();
          return e;
        }
        fill();
        Chunk c = ahead.poll();
        if (c == null) {
          return END;
        }
        try {
          current = c.results().get();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException(name + ": interrupted");
        } catch (ExecutionException e) {
          if (e.getCause() instanceof Error err) {
            throw err; // out of memory, say: Main reports it as such, not as a bug
          }
          throw new IllegalStateException("checking a line failed unexpectedly", e.getCause());
        }
        at = 0;
        currentReadError = c.readError();
        fill();
      }
      return current[at++];
    }

    /** Reads chunks until {@value #CHUNKS_AHEAD} are ahead or the input ends. */
    private void fill() throws IOException {
      while (!eof && ahead.size() < CHUNKS_AHEAD) {
        List<byte[]> raws = new ArrayList<>(CHUNK_LINES);
        long first = reader.number() + 1;
        long bytes = 0;
        FormatException readError = null;
        try {
          byte[] raw;
          while (raws.size() < CHUNK_LINES && bytes < CHUNK_BYTES && (raw = reader.next()) != null) {
            raws.add(raw);
            bytes += raw.length;
          }
          eof = raws.size() < CHUNK_LINES && bytes < CHUNK_BYTES;
        } catch (FormatException e) {
          readError = e;
          eof = true;
        }
        ahead.add(new Chunk(pool.submit(() -> parseAll(raws, first)), readError));
      }
    }

    private Object[] parseAll(List<byte[]> raws, long first) {
      Object[] out = new Object[raws.size()];
      for (int i = 0; i < out.length; i++) {
        try {
          Line line = parse(raws.get(i), first + i, bound);
          out[i] = line == null ? BLANK : line;
        } catch (FormatException e) {
          out[i] = e;
        }
      }
      return out;
    }

    @Override
    public void close() {
      pool.shutdownNow();
    }
  }

  // ---------------------------------------------------------------- signing ahead, in parallel

  /**
   * Entries signed ahead of the store on worker threads, appended in input order. Each line is
   * signed for the position it will take if nothing else writes to its chain meanwhile: the next
   * sequence number after the chain's head (the ledger's, or the line before it of the same chain)
   * and that entry's hash as {@code prev}. Entries of different chains are signed in parallel;
   * entries of one chain one after another, since each links to the hash of the one before. The
   * store is then handed the signed record through {@link Ledger#appendSigned}, which checks it and
   * uses it only when the position it was signed for is still the chain's next one (another writer
   * may have appended to the chain); otherwise the entry is signed again for its true position, as
   * {@link Ledger#appendAsync} would. So the ledger holds exactly what appending line by line would
   * write: the same entries, chain links and log order.
   *
   * <p>At most {@value #AHEAD_ENTRIES} entries or {@value #AHEAD_BYTES} bytes of lines (plus one
   * line) wait signed or being signed; references are printed by the {@link Printer} as before.
   */
  private final class Signing {
    static final int AHEAD_ENTRIES = 1024;
    static final int AHEAD_BYTES = 8 << 20;

    /** The newest entry of a chain: signed here, or (for the ledger's head) not ({@code entry} null). */
    private record Made(long sequence, Digest hash, SignedEntry entry) {}

    /** A line waiting to be appended, and the entry being signed for it. */
    private record Ahead(Line line, CompletableFuture<Made> made) {}

    private final ExecutorService pool;
    private final Clock clock;
    /** Per chain: the newest entry signed (or being signed) for it, which the next line of the chain links to. */
    private final Map<String, CompletableFuture<Made>> tails = new HashMap<>();
    private final ArrayDeque<Ahead> ahead = new ArrayDeque<>();
    private long aheadBytes;

    Signing(ExecutorService pool, Ledger ledger) {
      this.pool = pool;
      this.clock = ledger.clock();
      for (EntryRef h : ledger.chains()) {
        tails.put(h.chain(), CompletableFuture.completedFuture(new Made(h.sequence(), h.hash(), null)));
      }
    }

    /** Starts signing {@code line}'s entry once the entry before it in its chain is signed. */
    void submit(Line line) {
      CompletableFuture<Made> before = tails.get(line.chain());
      CompletableFuture<Made> made = before == null
          ? CompletableFuture.supplyAsync(() -> make(line, 0, Optional.empty()), pool)
          : before.thenApplyAsync(b -> make(line, b.sequence() + 1, Optional.of(b.hash())), pool);
      tails.put(line.chain(), made);
      ahead.add(new Ahead(line, made));
      aheadBytes += line.bytes();
    }

    boolean waiting() {
      return !ahead.isEmpty();
    }

    /** Whether the oldest waiting line should be appended now: it is signed, or too many wait. */
    boolean oldestReady() {
      return !ahead.isEmpty() && (ahead.peek().made().isDone() || ahead.size() > AHEAD_ENTRIES
          || aheadBytes > AHEAD_BYTES);
    }

    /** Waits until the oldest line is signed and hands it to the store; a failure to sign fails its append. */
    void appendOldest(Ledger ledger, Printer printer) throws InterruptedException {
      Ahead a = ahead.poll();
      aheadBytes -= a.line().bytes();
      Line line = a.line();
      CompletableFuture<EntryRef> ref;
      try {
        SignedEntry made = a.made().get().entry();
        ref = ledger.appendSigned(line.chain(), (seq, prev) -> seq == made.sequence() && prev.equals(made.prev())
            ? made
            : EntrySigner.signEntry(new EntryPayload(line.chain(), seq, prev, signer.keyId(), clock.instant(),
                line.event()), signer));
      } catch (ExecutionException e) {
        Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause()
            : e.getCause();
        ref = CompletableFuture.failedFuture(cause);
      }
      printer.submit(line.number(), line.bytes(), ref);
    }

    private Made make(Line line, long sequence, Optional<Digest> prev) {
      try {
        SignedEntry e = EntrySigner.signEntry(new EntryPayload(line.chain(), sequence, prev, signer.keyId(),
            clock.instant(), line.event()), signer);
        return new Made(sequence, e.hash(), e);
      } catch (AttestException e) {
        throw new CompletionException(e);
      }
    }
  }

  // ---------------------------------------------------------------- references

  /** The first append that failed. */
  private record Failure(long line, String message, Throwable cause) {}

  private record Pending(long line, int permits, CompletableFuture<EntryRef> ref) {}

  /** Prints references in order as their entries become durable; bounds what is in flight. */
  private static final class Printer {
    private static final Pending END = new Pending(-1, 0, null);

    private final PrintWriter out;
    private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(WINDOW_ENTRIES);
    private final Semaphore bytes = new Semaphore(WINDOW_BYTES);
    final AtomicReference<Failure> failure = new AtomicReference<>();
    private final Thread thread;

    Printer(PrintWriter out) {
      this.out = out;
      this.thread = new Thread(this::run, "custody-batch-references");
      thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    /** Queues an append, waiting while the window is full. */
    void submit(long line, int lineBytes, CompletableFuture<EntryRef> ref) throws InterruptedException {
      int permits = Math.min(lineBytes, WINDOW_BYTES);
      bytes.acquire(permits);
      queue.put(new Pending(line, permits, ref));
    }

    /** Waits until every queued reference is printed (or its failure noted). */
    void finish() {
      boolean interrupted = false;
      while (true) {
        try {
          queue.put(END);
          thread.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }

    private void run() {
      while (true) {
        Pending p;
        try {
          p = queue.take();
        } catch (InterruptedException e) {
          return;
        }
        if (p == END) {
          return;
        }
        try {
          EntryRef ref = p.ref().get();
          out.println(Json.ref(ref));
          out.flush();
          if (out.checkError()) {
            failure.compareAndSet(null, new Failure(p.line(), "standard output is closed, so references can no"
                + " longer be printed; stopping", null));
          }
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          failure.compareAndSet(null, new Failure(p.line(), "the entry could not be appended: " + cause.getMessage(),
              cause));
        } catch (InterruptedException e) {
          return;
        } finally {
          bytes.release(p.permits());
        }
      }
    }
  }
}
