package dev.custody.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Test helper run in a child JVM: several {@code custody} commands in one process, separated by an
 * argument {@value #SEPARATOR}; stops at the first that does not exit 0 and exits with its code. One
 * JVM start for a whole scenario (e.g. under a given umask).
 */
public final class ScriptMain {
  static final String SEPARATOR = ";;";

  private ScriptMain() {}

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true);
    PrintWriter err = new PrintWriter(System.err, true);
    List<String> command = new ArrayList<>();
    List<String> all = new ArrayList<>(Arrays.asList(args));
    all.add(SEPARATOR);
    for (String a : all) {
      if (!a.equals(SEPARATOR)) {
        command.add(a);
        continue;
      }
      int code = Main.run(command.toArray(String[]::new), out, err);
      if (code != 0) {
        err.println("script: exit " + code + " from " + command);
        System.exit(code);
      }
      command.clear();
    }
    System.exit(0);
  }
}
