package dev.custody.postgresql;

import dev.custody.core.FormatException;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * Where a PostgreSQL ledger is: {@code postgresql://[USER@]HOST[:PORT][,HOST[:PORT]...]/DATABASE[?PARAMS]},
 * libpq's URI form. Several hosts (a primary and its standbys) with {@code targetServerType=primary}
 * make writers reconnect to whichever is the primary after a failover. The parameters are pgjdbc's
 * connection properties ({@code sslmode}, {@code connectTimeout}, …), plus custody's own
 * {@code passwordFile=PATH} (a file whose first line is the password) and {@code logKey=PATH} (the log's
 * private key file, for a writer that signs checkpoints).
 *
 * <p><b>No password on the command line.</b> A URL holding a password ({@code user:secret@host}, or a
 * {@code password} parameter) is refused: command lines are visible to every user of the machine
 * ({@code ps}) and kept in shell histories. The password comes from {@code passwordFile}, else the
 * environment variable {@code PGPASSWORD}, else pgjdbc reads {@code ~/.pgpass} (or {@code PGPASSFILE})
 * as libpq does. The user is the URL's, else {@code PGUSER}, else the operating-system user.
 *
 * @param jdbcUrl the {@code jdbc:postgresql://…} URL, without custody's own parameters
 * @param user the user name, if one was given (URL or {@code PGUSER})
 * @param passwordFile custody's {@code passwordFile} parameter
 * @param logKeyFile custody's {@code logKey} parameter
 * @param text the URL as given, for messages (it holds no password)
 */
public record PostgresUrl(String jdbcUrl, Optional<String> user, Optional<Path> passwordFile, Optional<Path> logKeyFile,
    String text) {
  /** The scheme of a PostgreSQL ledger URL. */
  public static final String SCHEME = "postgresql://";
  /** libpq's other spelling of the scheme. */
  public static final String SCHEME_SHORT = "postgres://";
  /** custody's parameter naming a password file. */
  public static final String PASSWORD_FILE = "passwordFile";
  /** custody's parameter naming the log key file. */
  public static final String LOG_KEY = "logKey";
  private static final List<String> SECRET_PARAMETERS = List.of("password", "sslpassword");

  public PostgresUrl {
    if (!jdbcUrl.startsWith("jdbc:postgresql://")) {
      throw new IllegalArgumentException("not a pgjdbc URL: " + Untrusted.quote(jdbcUrl));
    }
  }

  /** Whether {@code s} names a PostgreSQL ledger (rather than a directory). */
  public static boolean isPostgresUrl(String s) {
    return s.startsWith(SCHEME) || s.startsWith(SCHEME_SHORT);
  }

  /**
   * Parses a ledger URL, reading {@code PGUSER} from {@code env}.
   *
   * @throws FormatException if it is not one, or holds a password
   */
  public static PostgresUrl parse(String url, Map<String, String> env) throws FormatException {
    String rest;
    if (url.startsWith(SCHEME)) {
      rest = url.substring(SCHEME.length());
    } else if (url.startsWith(SCHEME_SHORT)) {
      rest = url.substring(SCHEME_SHORT.length());
    } else {
      throw new FormatException("not a PostgreSQL ledger URL: " + Untrusted.quote(url) + "; expected "
          + SCHEME + "HOST[:PORT]/DATABASE");
    }
    String query = "";
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    int slash = rest.indexOf('/');
    if (slash < 0 || slash == rest.length() - 1) {
      throw new FormatException("PostgreSQL ledger URL " + Untrusted.quote(redact(url)) + " names no database; expected "
          + SCHEME + "HOST[:PORT]/DATABASE");
    }
    String authority = rest.substring(0, slash);
    String database = rest.substring(slash + 1);
    Optional<String> user = Optional.empty();
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = authority.substring(0, at);
      authority = authority.substring(at + 1);
      if (userInfo.indexOf(':') >= 0) {
        throw passwordRefused(url);
      }
      user = Optional.of(decode(userInfo, url));
    }
    if (authority.isEmpty()) {
      throw new FormatException("PostgreSQL ledger URL " + Untrusted.quote(redact(url)) + " names no host; expected "
          + SCHEME + "HOST[:PORT]/DATABASE");
    }
    if (database.contains("/")) {
      throw new FormatException("PostgreSQL ledger URL " + Untrusted.quote(redact(url)) + ": the database name "
          + Untrusted.quote(database) + " contains '/'");
    }
    Optional<Path> passwordFile = Optional.empty();
    Optional<Path> logKeyFile = Optional.empty();
    List<String> kept = new ArrayList<>();
    if (!query.isEmpty()) {
      for (String param : query.split("&", -1)) {
        int eq = param.indexOf('=');
        String name = decode(eq < 0 ? param : param.substring(0, eq), url);
        String value = eq < 0 ? "" : decode(param.substring(eq + 1), url);
        if (SECRET_PARAMETERS.contains(name.toLowerCase(Locale.ROOT))) {
          throw passwordRefused(url);
        }
        if (name.equals(PASSWORD_FILE)) {
          if (value.isEmpty()) {
            throw new FormatException("PostgreSQL ledger URL: " + PASSWORD_FILE + " is empty; give the path of a file"
                + " whose first line is the password");
          }
          passwordFile = Optional.of(Path.of(value));
        } else if (name.equals(LOG_KEY) && !value.isEmpty()) {
          logKeyFile = Optional.of(Path.of(value));
        } else if (name.equals("user")) {
          user = Optional.of(value);
        } else if (!name.isEmpty()) {
          kept.add(param);
        }
      }
    }
    if (user.isEmpty() && env.get("PGUSER") != null && !env.get("PGUSER").isEmpty()) {
      user = Optional.of(env.get("PGUSER"));
    }
    String jdbc = "jdbc:postgresql://" + authority + "/" + database + (kept.isEmpty() ? "" : "?" + String.join("&", kept));
    return new PostgresUrl(jdbc, user, passwordFile, logKeyFile, url);
  }

  /**
   * The connection properties: user and password (from {@link #passwordFile}, else {@code PGPASSWORD}
   * in {@code env}; else none, and pgjdbc reads {@code ~/.pgpass}).
   *
   * @throws IOException if the password file cannot be read
   */
  public Properties properties(Map<String, String> env) throws IOException {
    Properties p = new Properties();
    user.ifPresent(u -> p.setProperty("user", u));
    Optional<String> password = Optional.empty();
    if (passwordFile.isPresent()) {
      List<String> lines = Files.readAllLines(passwordFile.get(), StandardCharsets.UTF_8);
      if (lines.isEmpty() || lines.get(0).isEmpty()) {
        throw new IOException("password file " + passwordFile.get() + " (" + PASSWORD_FILE + " in " + text
            + ") is empty; its first line must be the password");
      }
      password = Optional.of(lines.get(0));
    } else if (env.get("PGPASSWORD") != null && !env.get("PGPASSWORD").isEmpty()) {
      password = Optional.of(env.get("PGPASSWORD"));
    }
    password.ifPresent(pw -> p.setProperty("password", pw));
    return p;
  }

  private static FormatException passwordRefused(String url) {
    return new FormatException("the PostgreSQL ledger URL " + Untrusted.quote(redact(url)) + " holds a password;"
        + " custody refuses passwords on the command line (every user of the machine can see them). Remove it and give"
        + " it in the environment (PGPASSWORD), in ~/.pgpass (or PGPASSFILE), or in a file: ?" + PASSWORD_FILE + "=PATH");
  }

  /** The URL with whatever follows a ':' in the user part and the value of any password parameter replaced by "***". */
  static String redact(String url) {
    return url.replaceAll("(://[^/@:]*):[^/@]*@", "$1:***@").replaceAll("(?i)((?:ssl)?password=)[^&]*", "$1***");
  }

  private static String decode(String s, String url) throws FormatException {
    try {
      return URLDecoder.decode(s, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw new FormatException("PostgreSQL ledger URL " + Untrusted.quote(redact(url)) + ": bad %-escape in "
          + Untrusted.quote(s));
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
