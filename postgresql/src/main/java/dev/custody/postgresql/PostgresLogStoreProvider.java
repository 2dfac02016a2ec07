package dev.custody.postgresql;

import dev.custody.attest.store.LogStore;
import dev.custody.attest.store.LogStoreProvider;
import dev.custody.core.FormatException;
import dev.custody.core.ledger.LogConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;

/** Opens {@code postgresql://} (and {@code postgres://}) ledgers for {@link dev.custody.attest.store.LogStores}. */
public final class PostgresLogStoreProvider implements LogStoreProvider {

  @Override
  public List<String> schemes() {
    return List.of("postgresql", "postgres");
  }

  @Override
  public void create(String url, LogConfig config, SecureRandom random, Settings settings)
      throws IOException, FormatException {
    Path keyFile = settings.logKeyFile().orElseThrow(() -> new FormatException("creating the PostgreSQL ledger "
        + PostgresUrl.redact(url) + " needs a file for its private log key (the database never holds it): give"
        + " --log-key FILE (or " + Settings.LOG_KEY_VARIABLE + "=FILE)"));
    PostgresLogStore.create(PostgresUrl.parse(url, settings.env()), config, keyFile, random, options(settings));
  }

  @Override
  public LogStore open(String url, Settings settings) throws IOException, FormatException {
    return PostgresLogStore.open(PostgresUrl.parse(url, settings.env()), options(settings));
  }

  @Override
  public LogStore openReadOnly(String url, Settings settings) throws IOException, FormatException {
    return PostgresLogStore.openReadOnly(PostgresUrl.parse(url, settings.env()), options(settings));
  }

  @Override
  public long copyToDirectory(String url, Path dir, Settings settings) throws IOException, FormatException {
    return PostgresCopy.toDirectory(PostgresUrl.parse(url, settings.env()), dir, options(settings));
  }

  private static PostgresLogStore.Options options(Settings settings) {
    PostgresLogStore.Options o = PostgresLogStore.Options.defaults().withEnv(settings.env());
    return settings.logKeyFile().map(o::withLogKeyFile).orElse(o);
  }
}
