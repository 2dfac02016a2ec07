package dev.custody.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * Samples the used heap every 10 ms on a daemon thread and keeps the maximum. Sampling misses
 * peaks shorter than the interval; the bounded-heap child JVM ({@code -Xmx256m}) is the real
 * check that replay streams.
 */
final class HeapWatch implements AutoCloseable {
  private final Thread thread;
  private volatile boolean stop;
  private volatile long peak;

  HeapWatch() {
    thread = new Thread(() -> {
      Runtime rt = Runtime.getRuntime();
      while (!stop) {
        long used = rt.totalMemory() - rt.freeMemory();
        if (used > peak) {
          peak = used;
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "bench-heap-watch");
    thread.setDaemon(true);
    thread.start();
  }

  long peak() {
    return peak;
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

  static long gcCount() {
    long n = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, b.getCollectionCount());
    }
    return n;
  }

  static long gcMillis() {
    long n = 0;
    for (GarbageCollectorMXBean b : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += Math.max(0, b.getCollectionTime());
    }
    return n;
  }
}
