package dev.custody.postgresql;

import dev.custody.attest.internal.store.LogStore;
import dev.custody.attest.StoreSettings;
import dev.custody.attest.internal.store.LogStoreProvider;
import dev.custody.core.FormatException;
import dev.custody.core.checkpoint.LogConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;

/** Opens {@code postgresql://} (and {@code postgres://}) ledgers for {@link dev.custody.attest.internal.store.LogStores}. */
public final class PostgresLogStoreProvider implements LogStoreProvider {

  @Override
  public List<String> schemes() {
    return List.of("postgresql", "postgres");
  }

  @Override
  public void create(String url, LogConfig config, SecureRandom random, StoreSettings settings)
      throws IOException, FormatException {
    PostgresUrl u = PostgresUrl.parse(url, settings.env());
    Path keyFile = settings.logKeyFile().or(u::logKeyFile).orElseThrow(() -> new FormatException("creating the"
        + " PostgreSQL ledger " + u + " needs a file for its private log key (the database never holds it): give"
        + " --log-private-key FILE (or " + StoreSettings.LOG_KEY_VARIABLE + "=FILE)"));
    PostgresLogStore.create(u, config, keyFile, random, options(settings, u));
  }

  @Override
  public LogStore open(String url, StoreSettings settings) throws IOException, FormatException {
    PostgresUrl u = PostgresUrl.parse(url, settings.env());
    return PostgresLogStore.open(u, options(settings, u));
  }

  @Override
  public LogStore openReadOnly(String url, StoreSettings settings) throws IOException, FormatException {
    PostgresUrl u = PostgresUrl.parse(url, settings.env());
    return PostgresLogStore.openReadOnly(u, options(settings, u));
  }

  @Override
  public long copyToDirectory(String url, Path dir, StoreSettings settings) throws IOException, FormatException {
    PostgresUrl u = PostgresUrl.parse(url, settings.env());
    return PostgresCopy.toDirectory(u, dir, options(settings, u));
  }

  @Override
  public long copyFromDirectory(Path dir, String url, StoreSettings settings) throws IOException, FormatException {
    PostgresUrl u = PostgresUrl.parse(url, settings.env());
    return PostgresCopy.fromDirectory(dir, u, options(settings, u));
  }

  /** The log key file of the settings, else the URL's {@code logKey} parameter. */
  private static PostgresLogStore.Options options(StoreSettings settings, PostgresUrl url) {
    PostgresLogStore.Options o = PostgresLogStore.Options.defaults().withEnv(settings.env());
    return settings.logKeyFile().or(url::logKeyFile).map(o::withLogKeyFile).orElse(o);
  }
}
