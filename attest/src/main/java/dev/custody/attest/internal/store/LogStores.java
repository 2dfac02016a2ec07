package dev.custody.attest.internal.store;

import dev.custody.core.FormatException;
import dev.custody.core.internal.text.Untrusted;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.regex.Pattern;

/**
 * Where a ledger is: a directory (the file store), or a URL {@code SCHEME://…} whose scheme a
 * {@link LogStoreProvider} on the class path opens.
 */
public final class LogStores {
  /** RFC 3986 scheme, then "://". */
  private static final Pattern URL = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*://.*", Pattern.DOTALL);

  private LogStores() {}

  /** Whether {@code location} is a URL ({@code scheme://…}) rather than a directory. */
  public static boolean isUrl(String location) {
    return URL.matcher(location).matches() && !location.regionMatches(true, 0, "file://", 0, 7);
  }

  /**
   * The provider for {@code url}'s scheme.
   *
   * @throws FormatException if no provider on the class path opens it
   */
  public static LogStoreProvider provider(String url) throws FormatException {
    String scheme = url.substring(0, Math.max(0, url.indexOf("://")));
    List<String> known = new ArrayList<>();
    for (LogStoreProvider p : ServiceLoader.load(LogStoreProvider.class, LogStores.class.getClassLoader())) {
      if (p.schemes().contains(scheme)) {
        return p;
      }
      known.addAll(p.schemes());
    }
    throw new FormatException("no ledger store for URL scheme " + Untrusted.quote(scheme) + " ("
        + (known.isEmpty() ? "none is installed" : "installed: " + String.join(", ", known)) + "); a ledger is a"
        + " directory or a postgresql:// URL, which needs custody-postgresql on the class path");
  }
}
