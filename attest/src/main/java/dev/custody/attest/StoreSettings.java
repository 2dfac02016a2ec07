package dev.custody.attest;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * How a ledger reached by URL ({@code postgresql://host/db}) is opened beyond its URL.
 *
 * @param logKeyFile the log's private note key, for a writer that signs checkpoints (a database
 *     store keeps no private key); creating a ledger writes the new key there
 * @param env the environment (credentials such as {@code PGPASSWORD} are read from it)
 */
public record StoreSettings(Optional<Path> logKeyFile, Map<String, String> env) {
  /** Environment variable naming the log key file of a ledger reached by URL. */
  public static final String LOG_KEY_VARIABLE = "CUSTODY_LOG_KEY";

  public StoreSettings {
    env = Map.copyOf(env);
  }

  /** The process environment, and the log key file {@value #LOG_KEY_VARIABLE} names, if set. */
  public static StoreSettings fromEnvironment() {
    Map<String, String> env = System.getenv();
    String key = env.get(LOG_KEY_VARIABLE);
    return new StoreSettings(key == null || key.isBlank() ? Optional.empty() : Optional.of(Path.of(key)), env);
  }

  public StoreSettings withLogKeyFile(Path file) {
    return new StoreSettings(Optional.of(file), env);
  }
}
