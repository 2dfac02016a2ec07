package dev.custody.postgresql;

import dev.custody.attest.internal.store.LogStore;
import dev.custody.attest.internal.store.LogStoreContract;
import dev.custody.core.checkpoint.LogConfig;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.HashMap;
import java.util.Map;

/** The {@link LogStore} contract, unchanged, against a real PostgreSQL server ({@link PgServer}): one database per test. */
class PostgresLogStoreTest extends LogStoreContract {
  private final Map<Path, PostgresUrl> databases = new HashMap<>();

  @Override
  protected LogStore openStore(Path dir) throws Exception {
    PostgresUrl url = databases.get(dir);
    if (url == null) {
      url = PgServer.shared().newDatabase();
      PostgresLogStore.create(url, PostgresLogStore.Options.defaults());
      databases.put(dir, url);
    }
    return PostgresLogStore.open(url, PostgresLogStore.Options.defaults());
  }

  @Override
  protected LogStore openSigningStore(Path dir) throws Exception {
    Path key = dir.resolve("log.key");
    PostgresUrl url = databases.get(dir);
    if (url == null) {
      url = PgServer.shared().newDatabase();
      PostgresLogStore.create(url, new LogConfig(ORIGIN, Optional.empty()), key, new SecureRandom(),
          PostgresLogStore.Options.defaults());
      databases.put(dir, url);
    }
    return PostgresLogStore.open(url, PostgresLogStore.Options.defaults().withLogKeyFile(key));
  }
}
