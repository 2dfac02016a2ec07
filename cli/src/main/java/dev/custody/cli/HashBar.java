package dev.custody.cli;

import dev.custody.core.manifest.HashProgress;
import java.text.DecimalFormat;
import java.time.temporal.ChronoUnit;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr (bytes, rate, ETA) for a hash that takes a while. Shown only when
 * stderr is worth drawing on — the process has a terminal ({@link Terminal#interactive()}) and
 * {@code --quiet} was not given — and only once hashing has run for {@link #DELAY_NANOS}, so
 * small models print nothing extra. The bar draws from its own thread; {@link #onProgress} only
 * records the count, which keeps the hasher's listener cheap (HashProgress contract).
 */
final class HashBar implements HashProgress, AutoCloseable {
  /** Hashes shorter than this show no bar. */
  static final long DELAY_NANOS = 700_000_000L;
  private static final long MIB = 1L << 20;

  private final String task;
  private final boolean enabled;
  private final long started = System.nanoTime();
  private ProgressBar bar;

  private HashBar(String task, boolean enabled) {
    this.task = task;
    this.enabled = enabled;
  }

  /** A bar for {@code task}, drawn only on a terminal and when not {@code quiet}. */
  static HashBar start(String task, boolean quiet) {
    return new HashBar(task, !quiet && Terminal.interactive());
  }

  @Override
  public void onProgress(long bytesDone, long bytesTotal) {
    if (!enabled) {
      return;
    }
    if (bar == null) {
      if (System.nanoTime() - started < DELAY_NANOS || bytesDone >= bytesTotal) {
        return;
      }
      bar = new ProgressBarBuilder()
          .setTaskName(task)
          .setInitialMax(bytesTotal)
          .setUnit(" MiB", MIB)
          .showSpeed(new DecimalFormat("0.0"))
          .setSpeedUnit(ChronoUnit.SECONDS)
          .setStyle(ProgressBarStyle.ASCII)
          .setUpdateIntervalMillis(200)
          .setConsumer(new ConsoleProgressBarConsumer(System.err))
          .build();
    }
    bar.stepTo(bytesDone);
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}
