package dev.custody.postgresql;

import dev.custody.core.FormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the tests, started by the tests themselves: Debian's {@code postgresql}
 * binaries ({@code /usr/lib/postgresql/VERSION/bin}) run a fresh cluster in a temporary directory on a
 * free port (unix socket in the data directory, trust authentication on loopback for the test user,
 * {@code fsync=on}). PostgreSQL refuses to run as root, so as root the cluster belongs to, and runs as,
 * the {@code postgres} system user ({@code runuser}). Without the binaries, the server given by
 * {@code CUSTODY_TEST_PG_URL} ({@code postgresql://USER@HOST:PORT/DB}, its user allowed to create
 * databases); with neither, every PostgreSQL test fails with the command that installs them.
 *
 * <p>One server per test JVM ({@link #shared()}), stopped when the JVM exits; one database per test
 * ({@link #newDatabase()}). {@link #start(Path, Path, int, List)} starts further servers (fault and
 * failover tests).
 */
public final class PgServer {
  /** The environment variable naming an existing server when the binaries are not installed. */
  public static final String URL_VARIABLE = "CUSTODY_TEST_PG_URL";
  static final String USER = "custody";
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static PgServer shared;

  private final Optional<Path> bin;
  private final Optional<Path> data;
  /** host:port of the server. */
  private final String hostPort;
  private final String user;
  private final String adminDatabase;

  private PgServer(Optional<Path> bin, Optional<Path> data, String hostPort, String user, String adminDatabase) {
    this.bin = bin;
    this.data = data;
    this.hostPort = hostPort;
    this.user = user;
    this.adminDatabase = adminDatabase;
  }

  /** The server of this test JVM, started on first use. */
  public static synchronized PgServer shared() {
    if (shared == null) {
      try {
        shared = startShared();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      PgServer s = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(s::stopQuietly, "pg-test-server-stop"));
    }
    return shared;
  }

  private static PgServer startShared() throws IOException {
    Optional<Path> bin = binaries();
    if (bin.isPresent()) {
      return start(bin.get(), Files.createTempDirectory("custody-pg-"), freePort(), List.of());
    }
    String url = System.getenv(URL_VARIABLE);
    if (url != null && !url.isEmpty()) {
      try {
        PostgresUrl u = PostgresUrl.parse(url, System.getenv());
        String rest = u.jdbcUrl().substring("jdbc:postgresql://".length());
        int slash = rest.indexOf('/');
        return new PgServer(Optional.empty(), Optional.empty(), rest.substring(0, slash), u.user().orElse(USER),
            rest.substring(slash + 1).replaceFirst("\\?.*", ""));
      } catch (FormatException e) {
        throw new IllegalStateException(URL_VARIABLE + ": " + e.getMessage(), e);
      }
    }
    throw new IllegalStateException("the PostgreSQL tests need a PostgreSQL server and none can be started: install"
        + " Debian's postgresql package (as root: apt-get update && apt-get install -y --no-install-recommends"
        + " postgresql; ./test does this), or set " + URL_VARIABLE + "=postgresql://USER@HOST:PORT/DB naming a server"
        + " whose user may create databases");
  }

  /** The newest {@code /usr/lib/postgresql/VERSION/bin} holding {@code initdb} and {@code postgres}. */
  static Optional<Path> binaries() throws IOException {
    Path root = Path.of("/usr/lib/postgresql");
    if (!Files.isDirectory(root)) {
      return Optional.empty();
    }
    try (Stream<Path> s = Files.list(root)) {
      return s.map(p -> p.resolve("bin"))
          .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("postgres")))
          .max(Comparator.comparingInt(PgServer::majorVersion));
    }
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /**
   * Creates a cluster in {@code dir} (which must be empty or absent) and starts it on {@code port}
   * with the extra {@code settings} ({@code name=value}).
   */
  public static PgServer start(Path bin, Path dir, int port, List<String> settings) throws IOException {
    Files.createDirectories(dir);
    Path data = dir.resolve("data");
    if (isRoot()) {
      // The postgres user must reach the data directory: its parents are made traversable.
      for (Path p = dir; p != null && p.startsWith(System.getProperty("java.io.tmpdir")); p = p.getParent()) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      Files.createDirectories(data);
      run(List.of("chown", "postgres:postgres", data.toString()), false);
    }
    run(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--auth=trust",
        "-E", "UTF8", "--no-sync", "--no-instructions"), true);
    PgServer s = new PgServer(Optional.of(bin), Optional.of(data), "127.0.0.1:" + port, USER, "postgres");
    s.writeConfig(port, settings);
    s.startServer();
    return s;
  }

  private void writeConfig(int port, List<String> settings) throws IOException {
    List<String> lines = new ArrayList<>(List.of(
        "port = " + port,
        "listen_addresses = '127.0.0.1'",
        "unix_socket_directories = '" + data.get() + "'",
        "fsync = on",
        "max_connections = 200",
        "shared_buffers = 32MB",
        "max_wal_size = 256MB",
        "logging_collector = off",
        "log_min_messages = warning"));
    lines.addAll(settings);
    Path conf = data.get().resolve("postgresql.auto.conf");
    String existing = Files.exists(conf) ? Files.readString(conf) : "";
    Files.writeString(conf, existing + String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    if (isRoot()) {
      run(List.of("chown", "postgres:postgres", conf.toString()), false);
    }
  }

  /** Starts (or restarts) the server on its data directory and waits until it accepts connections. */
  public void startServer() throws IOException {
    Path log = data.get().resolve("server.log");
    run(List.of(bin.get().resolve("pg_ctl").toString(), "-D", data.get().toString(), "-l", log.toString(), "-w",
        "-t", "60", "start"), true);
  }

  /**
   * A synchronous streaming-replication standby of this server (which must run with
   * {@link #PRIMARY_SETTINGS}): a base backup into {@code dir}, started on {@code port}; returns once
   * this server reports it as its synchronous standby.
   */
  public PgServer standby(Path dir, int port) throws IOException {
    Files.createDirectories(dir);
    Path standbyData = dir.resolve("data");
    if (isRoot()) {
      for (Path p = dir; p != null && p.startsWith(System.getProperty("java.io.tmpdir")); p = p.getParent()) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
      }
      Files.createDirectories(standbyData);
      Files.setPosixFilePermissions(standbyData, PosixFilePermissions.fromString("rwx------"));
      run(List.of("chown", "postgres:postgres", standbyData.toString()), false);
    }
    String[] hp = hostPort.split(":", -1);
    run(List.of(bin.get().resolve("pg_basebackup").toString(), "-D", standbyData.toString(), "-R", "-X", "stream", "-c", "fast",
        "-d", "host=" + hp[0] + " port=" + hp[1] + " user=" + user + " application_name=standby"), true);
    PgServer s = new PgServer(bin, Optional.of(standbyData), "127.0.0.1:" + port, user, adminDatabase);
    s.writeConfig(port, List.of());
    s.startServer();
    // Only now that the standby runs do commits wait for it (before, they would wait forever).
    try (Connection c = admin(); Statement st = c.createStatement()) {
      st.execute("alter system set synchronous_standby_names = 'standby'");
      st.execute("select pg_reload_conf()");
    } catch (SQLException e) {
      throw new IOException("making the standby synchronous: " + e.getMessage(), e);
    }
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < until) {
      try (Connection c = admin(); Statement st = c.createStatement();
          java.sql.ResultSet rs = st.executeQuery("select count(*) from pg_stat_replication where sync_state = 'sync'")) {
        rs.next();
        if (rs.getInt(1) > 0) {
          return s;
        }
      } catch (SQLException e) {
        // not yet
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
    throw new IOException("the standby on port " + port + " did not become synchronous within 60 s; see "
        + standbyData.resolve("server.log"));
  }

  /**
   * Settings of a primary that will have a synchronous standby ({@link #standby}, which then sets
   * {@code synchronous_standby_names}): a commit returns once the standby has it.
   */
  public static final List<String> PRIMARY_SETTINGS = List.of("wal_level = replica", "max_wal_senders = 4",
      "synchronous_commit = on", "hot_standby = on");

  /** Promotes this standby to primary and waits until it accepts writes. */
  public void promote() throws IOException {
    run(List.of(bin.get().resolve("pg_ctl").toString(), "-D", data.get().toString(), "-w", "promote"), true);
  }

  /** Stops the server ({@code mode}: fast, immediate). */
  public void stopServer(String mode) throws IOException {
    run(List.of(bin.get().resolve("pg_ctl").toString(), "-D", data.get().toString(), "-m", mode, "-w", "stop"), true);
  }

  /** SIGKILLs the postmaster (a machine losing power, as far as this server's clients can tell). */
  public void kill() throws IOException {
    long pid = Long.parseLong(Files.readAllLines(data.get().resolve("postmaster.pid")).get(0).trim());
    run(List.of("kill", "-KILL", Long.toString(pid)), false);
    ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
  }

  private void stopQuietly() {
    if (bin.isEmpty()) {
      return;
    }
    try {
      stopServer("immediate");
    } catch (IOException | RuntimeException e) {
      // The JVM is exiting; the temporary directory stays for a look.
    }
  }

  /** A new empty database on this server, as a ledger URL. */
  public PostgresUrl newDatabase() {
    String name = "t" + ProcessHandle.current().pid() + "_" + DATABASES.incrementAndGet();
    try (Connection c = admin(); Statement s = c.createStatement()) {
      s.execute("create database " + name);
    } catch (SQLException e) {
      throw new IllegalStateException("creating test database " + name + " on " + hostPort + ": " + e.getMessage(), e);
    }
    return url(name);
  }

  /** The ledger URL of database {@code name} on this server. */
  public PostgresUrl url(String name) {
    try {
      return PostgresUrl.parse("postgresql://" + user + "@" + hostPort + "/" + name, Map.of());
    } catch (FormatException e) {
      throw new IllegalStateException(e);
    }
  }

  /** host:port. */
  public String hostPort() {
    return hostPort;
  }

  /** A superuser connection to the server's maintenance database (tests use it to tamper with rows). */
  public Connection admin() throws SQLException {
    return connect(adminDatabase);
  }

  /** A connection to database {@code name} as the test user. */
  public Connection connect(String name) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", user);
    String pw = System.getenv("PGPASSWORD");
    if (pw != null) {
      p.setProperty("password", pw);
    }
    return DriverManager.getConnection("jdbc:postgresql://" + hostPort + "/" + name, p);
  }

  /** The database name of a URL made by {@link #url}. */
  public static String databaseOf(PostgresUrl url) {
    String rest = url.jdbcUrl().substring("jdbc:postgresql://".length());
    return rest.substring(rest.indexOf('/') + 1).replaceFirst("\\?.*", "");
  }

  /** A port nobody listens on now. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Runs a command (as the postgres user when root and {@code asPostgres}), failing with its output. */
  static void run(List<String> command, boolean asPostgres) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (asPostgres && isRoot()) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.addAll(command);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out;
    try {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " did not finish in 120 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running " + cmd, e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "):\n" + out);
    }
  }
}
