package dev.custody.core.manifest;

import dev.custody.core.CustodyException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A model cannot be hashed into a manifest: a refused symbolic link, a special file, an unreadable
 * or changing file, no files at all. {@link #path()} names the offending file when there is one.
 */
public class ManifestException extends CustodyException {
  private static final long serialVersionUID = 1L;
  private final transient Path path;

  public ManifestException(Path path, String message) {
    super(message);
    this.path = path;
  }

  public ManifestException(Path path, String message, Throwable cause) {
    super(message, cause);
    this.path = path;
  }

  /** The file or link the problem is about, if one. */
  public Optional<Path> path() {
    return Optional.ofNullable(path);
  }
}
