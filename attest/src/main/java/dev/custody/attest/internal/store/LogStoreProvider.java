package dev.custody.attest.internal.store;

import dev.custody.attest.StoreSettings;
import dev.custody.core.FormatException;
import dev.custody.core.checkpoint.LogConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;

/**
 * A kind of {@link LogStore} reached by a URL ({@code postgresql://host/db}), found with
 * {@link java.util.ServiceLoader} the way JDBC drivers are: a module on the class path (module path:
 * {@code provides}) declares its provider in {@code META-INF/services/dev.custody.attest.internal.store.LogStoreProvider},
 * so attest knows no database. {@link LogStores} picks the provider for a URL; a plain path is the
 * file store.
 */
public interface LogStoreProvider {

  /** The URL schemes this provider opens, without "://" (e.g. "postgresql"). */
  List<String> schemes();

  /**
   * Creates an empty ledger with the log identity {@code config} at {@code url}; the new private log
   * key goes to {@link StoreSettings#logKeyFile()}, which is required.
   *
   * @throws FormatException if {@code url} is malformed or already holds a ledger
   */
  void create(String url, LogConfig config, SecureRandom random, StoreSettings settings) throws IOException, FormatException;

  /** Opens the ledger at {@code url} for appending and reading. */
  LogStore open(String url, StoreSettings settings) throws IOException, FormatException;

  /** Opens the ledger at {@code url} for reading only (a read-only role suffices). */
  LogStore openReadOnly(String url, StoreSettings settings) throws IOException, FormatException;

  /**
   * Copies the ledger at {@code url}, as it is at one moment and without judging it, into {@code dir}
   * (absent or empty) in the file ledger's layout: the records' exact bytes in log order, the log
   * identity without its private key, every stored checkpoint. What {@code custody verify} and
   * {@code custody migrate --to DIR} run on: the copy is verified, the database trusted for nothing.
   *
   * @return the number of records copied
   */
  long copyToDirectory(String url, Path dir, StoreSettings settings) throws IOException, FormatException;

  /**
   * Copies the file ledger at {@code dir} into a new ledger at {@code url} (whose store must be empty):
   * the records' exact bytes at their log indexes, the log identity (config and verifier key; the
   * private key stays in {@code dir}), every stored checkpoint; then opens it once for writing, which
   * checks that the copy extends its largest checkpoint. {@code custody migrate --from DIR --to URL}.
   *
   * @return the number of records copied
   * @throws FormatException if {@code dir} is not a ledger, is damaged, or {@code url} already holds one
   */
  long copyFromDirectory(Path dir, String url, StoreSettings settings) throws IOException, FormatException;
}
