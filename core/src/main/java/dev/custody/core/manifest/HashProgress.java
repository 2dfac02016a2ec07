package dev.custody.core.manifest;

/**
 * Told how far a {@link ModelHasher} has come, so that a front-end can draw a progress bar.
 *
 * <p>Calls come from the hasher's worker threads but never concurrently (the hasher serializes
 * them), and {@code bytesDone} never decreases from one call to the next. The listener runs on the
 * hashing path: it must be cheap and must not block (sample the values; draw elsewhere).
 */
@FunctionalInterface
public interface HashProgress {
  /** A listener that ignores progress. */
  HashProgress NONE = (done, total) -> { };

  /**
   * @param bytesDone bytes hashed so far, over all files
   * @param bytesTotal bytes to hash in all, known before hashing starts
   */
  void onProgress(long bytesDone, long bytesTotal);
}
