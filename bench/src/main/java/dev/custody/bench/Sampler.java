package dev.custody.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A coarse, dependency-free sampling profiler: every few milliseconds it takes the stack of each
 * thread of interest and files the sample under the first matching {@link #RULES category} (the
 * rules are ordered from the most specific cost, e.g. Ed25519 signing, to the least). It answers
 * "where does the committer / a verify worker spend its time" well enough to direct optimisation;
 * samples are taken at safepoints, so short native calls are under-counted. Use a real profiler
 * (async-profiler, JFR) for anything finer.
 */
final class Sampler implements AutoCloseable {
  private record Rule(String category, Predicate<String> frame) {}

  private static Predicate<String> any(String... needles) {
    return f -> {
      for (String n : needles) {
        if (f.contains(n)) {
          return true;
        }
      }
      return false;
    };
  }

  /** Frame text is {@code class.method}. First match wins. */
  private static final List<Rule> RULES = List.of(
      new Rule("ed25519 sign", any("rfc8032.Ed25519.sign", "rfc8032.Ed25519.implSign")),
      new Rule("event building (benchmark driver)", any("dev.custody.bench.Workload")),
      new Rule("ed25519 verify", any("rfc8032.Ed25519.verify", "rfc8032.Ed25519.implVerify")),
      new Rule("fsync (FileChannel.force)", any("FileDispatcherImpl.force", "FileChannelImpl.force")),
      new Rule("file lock", any("FileDispatcherImpl.lock", "FileChannelImpl.lock", "FileChannelImpl.tryLock")),
      new Rule("file write", any("FileDispatcherImpl.pwrite", "FileDispatcherImpl.write", "FileChannelImpl.write")),
      new Rule("file open/close/stat", any("UnixChannelFactory", "FileChannelImpl.implCloseChannel",
          "FileChannel.open", "UnixFileAttributeViews", "Files.size", "UnixDirectoryStream", "Files.newDirectoryStream",
          "LedgerLayout.segments", "UnixFileSystemProvider")),
      new Rule("segment read (catch-up / replay)", any("LogReader.", "FileDispatcherImpl.pread", "FileDispatcherImpl.read")),
      new Rule("re-parse own record (FileLogStore.checkRecord)", any("FileLogStore.checkRecord")),
      new Rule("sha-256 of entry", any("Digest.sha256", "MessageDigest.digest", "SHA256Digest", "sun.security.provider.SHA2")),
      new Rule("encode payload / JWS (EntrySigner, EntryCodec.encode)", any("EntryCodec.encode", "EntrySigner.sign",
          "Base64Url.encode", "JwsEnvelope.serialize")),
      new Rule("parse: base64url decode", any("Base64Url.decode", "java.util.Base64$Decoder", "Base64URL.decode")),
      new Rule("parse: JWS header (Nimbus)", any("com.nimbusds")),
      new Rule("parse: payload JSON (StrictJson / Jackson / EntryCodec.decode)", any("StrictJson", "com.fasterxml.jackson",
          "EntryCodec.decode", "EntryRecord.payload", "EntryPayload.<init>", "dev.custody.core.event.")),
      new Rule("parse: JWS envelope (JwsEnvelope / EntryRecord.parse)", any("EntryRecord.parse", "JwsEnvelope")),
      new Rule("integrity checks (ChainReplay)", any("ChainReplay.")),
      new Rule("index update (FileLogStore.Index)", any("FileLogStore$Index")),
      new Rule("catch-up (segment list / size)", any("FileLogStore.catchUp")),
      new Rule("future completion / hand-off", any("CompletableFuture.postComplete", "CompletableFuture.complete",
          "LockSupport.unpark")),
      new Rule("gc/alloc", any("Arrays.copyOf", "ByteArrayOutputStream")));

  private final Thread thread;
  private final Function<Thread, String> group;
  private final long intervalMillis;
  private final Map<String, Map<String, Integer>> counts = new TreeMap<>();
  private final Map<String, Integer> totals = new TreeMap<>();
  private volatile boolean stop;

  /**
   * Starts sampling every {@code intervalMillis} the threads for which {@code group} returns a
   * non-null group name.
   */
  Sampler(Function<Thread, String> group, long intervalMillis) {
    this.group = group;
    this.intervalMillis = intervalMillis;
    this.thread = new Thread(this::run, "bench-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  private void run() {
    while (!stop) {
      for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
        String g = group.apply(e.getKey());
        if (g == null) {
          continue;
        }
        String c = classify(e.getKey().getState(), e.getValue());
        synchronized (counts) {
          counts.computeIfAbsent(g, k -> new TreeMap<>()).merge(c, 1, Integer::sum);
          totals.merge(g, 1, Integer::sum);
        }
      }
      try {
        Thread.sleep(intervalMillis);
      } catch (InterruptedException ie) {
        return;
      }
    }
  }

  static String classify(Thread.State state, StackTraceElement[] stack) {
    String[] frames = new String[stack.length];
    for (int i = 0; i < stack.length; i++) {
      frames[i] = stack[i].getClassName() + "." + stack[i].getMethodName();
    }
    if (stack.length > 0 && (state == Thread.State.WAITING || state == Thread.State.TIMED_WAITING
        || state == Thread.State.BLOCKED)) {
      String top = frames[0];
      // Parked or waiting: idle or blocked on a hand-off, not doing work.
      for (String f : frames) {
        if (f.contains("CompletableFuture")) {
          return "waiting for durability (future)";
        }
        if (f.contains("LinkedBlockingQueue.take") || f.contains("ThreadPoolExecutor.getTask")) {
          return "idle (waiting for work)";
        }
        if (f.contains("FutureTask.get") || f.contains("FutureTask.awaitDone")) {
          return "waiting for a worker batch";
        }
        if (f.contains("Thread.sleep") && frames.length > 1) {
          return "sleep (" + shortName(frames[Math.min(1, frames.length - 1)]) + ")";
        }
      }
      if (state == Thread.State.BLOCKED) {
        return "blocked on monitor (" + shortName(top) + ")";
      }
      return "waiting (" + shortName(top) + ")";
    }
    for (Rule r : RULES) {
      for (String f : frames) {
        if (r.frame().test(f)) {
          return r.category();
        }
      }
    }
    return stack.length == 0 ? "(no stack)" : "other: " + shortName(frames[0]);
  }

  private static String shortName(String frame) {
    int dot = frame.lastIndexOf('.', frame.lastIndexOf('.') - 1);
    return dot < 0 ? frame : frame.substring(dot + 1);
  }

  @Override
  public void close() {
    stop = true;
    thread.interrupt();
    try {
      thread.join(1000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Per thread group: categories with their share of samples, largest first. */
  Map<String, List<Map.Entry<String, Double>>> shares() {
    Map<String, List<Map.Entry<String, Double>>> out = new LinkedHashMap<>();
    synchronized (counts) {
      for (Map.Entry<String, Map<String, Integer>> g : counts.entrySet()) {
        int total = totals.get(g.getKey());
        List<Map.Entry<String, Double>> l = new ArrayList<>();
        g.getValue().forEach((c, n) -> l.add(Map.entry(c, n * 100.0 / total)));
        l.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        out.put(g.getKey(), l);
      }
    }
    return out;
  }

  int samples(String group) {
    synchronized (counts) {
      return totals.getOrDefault(group, 0);
    }
  }

  /** Prints the shares and records them under {@code into}. */
  void report(StringBuilder table, Summary into) {
    for (Map.Entry<String, List<Map.Entry<String, Double>>> g : shares().entrySet()) {
      table.append(String.format(java.util.Locale.ROOT, "  %s (%d samples)%n", g.getKey(), samples(g.getKey())));
      Summary s = into.child(g.getKey());
      for (Map.Entry<String, Double> c : g.getValue()) {
        if (c.getValue() >= 0.5) {
          table.append(String.format(java.util.Locale.ROOT, "    %5.1f%%  %s%n", c.getValue(), c.getKey()));
        }
        if (c.getValue() >= 0.5) {
          s.put(c.getKey(), Math.round(c.getValue() * 10) / 10.0);
        }
      }
    }
  }
}
