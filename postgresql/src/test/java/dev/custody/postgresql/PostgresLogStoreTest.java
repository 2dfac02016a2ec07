package dev.custody.postgresql;

import dev.custody.attest.store.LogStore;
import dev.custody.attest.store.LogStoreContract;
import java.nio.file.Path;
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
}
