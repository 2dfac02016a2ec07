package dev.custody.bench;

import java.io.PrintStream;
import java.util.Locale;

/** The human-readable report: progress notes as they happen, then aligned rows of figures. */
final class Table {
  private final PrintStream out;
  private final StringBuilder rows = new StringBuilder();

  Table(PrintStream out) {
    this.out = out;
  }

  /** A progress line, printed at once. */
  void note(String format, Object... args) {
    out.printf(Locale.ROOT, "# " + format + "%n", args);
    out.flush();
  }

  void row(String label, String format, Object... args) {
    rows.append(String.format(Locale.ROOT, "%-42s %s%n", label, String.format(Locale.ROOT, format, args)));
  }

  void section(String title, String body) {
    rows.append(String.format(Locale.ROOT, "%n%s%n%s", title, body));
  }

  void rule(String title) {
    rows.append(String.format(Locale.ROOT, "%n== %s ==%n", title));
  }

  void print() {
    out.print(rows);
    out.flush();
  }
}
