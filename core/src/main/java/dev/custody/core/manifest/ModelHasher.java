package dev.custody.core.manifest;

import dev.custody.core.Digest;
import dev.custody.core.manifest.Serialization.Method;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Hashes a model directory or a single file into a {@link ModelManifest}, the way the OpenSSF
 * model-signing reference implementation does, so that the root digests agree.
 *
 * <h2>What is hashed</h2>
 * <ul>
 *   <li>A single file: one resource named by the file's name (OMS §6.1.2 rule 5); ignore paths do
 *       not apply.
 *   <li>A directory: every regular file below it, named by its path relative to the directory
 *       ({@link ResourceNames}), except those equal to or under an ignore path. By default
 *       {@link #DEFAULT_IGNORE_PATHS} (OMS §6.2) are ignored at the top level; callers add the
 *       ledger directory, the signature file and user paths. The model must contain at least one
 *       file after exclusions.
 *   <li>Symbolic links are refused (a {@link ManifestException} names the link) unless allowed; when
 *       allowed they are followed and hashed under the link's name, and a link cycle is an error.
 *   <li>Sockets, pipes and devices are refused.
 * </ul>
 *
 * <h2>Speed and memory</h2>
 * A fixed pool of {@link Builder#threads(int) threads} (default: one per available processor) takes
 * work items — a file for {@code files}, a shard for {@code shards} — largest first, and hashes each
 * through one {@code FileRangeHasher} per thread: items of at least 1 MiB memory-mapped 64 MiB at a
 * time (each window unmapped once hashed), smaller ones read with positional {@link FileChannel}
 * reads into one fixed buffer. Memory is therefore {@code threads × (bufferSize + 64 MiB mapped)}
 * (plus the JDK's equal-sized per-thread I/O buffer) whatever the size of the model; only the list
 * of work items (one per file or shard) grows with the model. Every digest is the SHA-256 of the
 * item's bytes whichever way they were read. A file whose size changes while it is hashed is an
 * error, not a silently wrong digest.
 *
 * <p>Instances are immutable and thread-safe; each {@link #hash} call uses its own threads.
 */
public final class ModelHasher {
  /** Ignored at the top level of every model unless disabled (OMS §6.2): git metadata. */
  public static final List<String> DEFAULT_IGNORE_PATHS = List.of(".git", ".gitattributes", ".github", ".gitignore");
  /** Per-thread read buffer: large enough to amortize system calls, small enough to stay in L2 cache. */
  public static final int DEFAULT_BUFFER_SIZE = 256 * 1024;
  /** Smallest buffer accepted (a SHA-256 block is 64 bytes; smaller reads only add system calls). */
  public static final int MIN_BUFFER_SIZE = 4096;
  /** Largest buffer accepted, to keep {@code threads × bufferSize} modest. */
  public static final int MAX_BUFFER_SIZE = 64 << 20;

  private final Method method;
  private final long shardSize;
  private final boolean allowSymlinks;
  private final List<String> ignorePaths;
  private final int threads;
  private final int bufferSize;
  private final Sha256Engine engine;
  private final HashProgress progress;

  private ModelHasher(Builder b) {
    this.method = b.method;
    this.shardSize = b.shardSize;
    this.allowSymlinks = b.allowSymlinks;
    Set<String> ignore = new LinkedHashSet<>();
    if (b.ignoreGitPaths) {
      ignore.addAll(DEFAULT_IGNORE_PATHS);
    }
    ignore.addAll(b.ignorePaths);
    this.ignorePaths = List.copyOf(ignore);
    this.threads = b.threads;
    this.bufferSize = b.bufferSize;
    this.engine = b.engine.resolve(); // once per hasher: AUTO looks at the VM and Bouncy Castle
    this.progress = b.progress;
  }

  /** A builder with the defaults: files, symlinks refused, git paths ignored, all processors. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder that hashes the way {@code s} records: same method and shard size, same symlink
   * rule, and exactly its ignore paths (the git defaults only if {@code s} lists them). Used to
   * re-hash a model for comparison with a stored manifest; add further ignore paths (e.g. a ledger
   * inside the model) as needed.
   */
  public static Builder builder(Serialization s) {
    Builder b = new Builder().ignoreGitPaths(false).allowSymlinks(s.allowSymlinks()).ignorePaths(s.ignorePaths());
    return s.method() == Method.SHARDS ? b.shards(s.shardSize()) : b.files();
  }

  /** Hashes with the defaults of {@link #builder()}. */
  public static ModelManifest hashWithDefaults(Path model) throws IOException, ManifestException {
    return builder().build().hash(model);
  }

  /** The serialization a manifest of a directory hashed by this hasher records. */
  public Serialization serialization() {
    return serialization(ignorePaths);
  }

  private Serialization serialization(List<String> ignore) {
    return method == Method.FILES
        ? Serialization.files(allowSymlinks, ignore)
        : Serialization.shards(shardSize, allowSymlinks, ignore);
  }

  /**
   * Hashes {@code model}, a directory or a regular file.
   *
   * @throws ManifestException for a refused symbolic link, a special file, a file name that cannot be
   *     a resource name, a file that changed while being hashed, or a model with no file to hash
   * @throws java.nio.file.NoSuchFileException if {@code model} does not exist
   * @throws InterruptedIOException if the calling thread is interrupted (hashing is cancelled)
   */
  public ModelManifest hash(Path model) throws IOException, ManifestException {
    Objects.requireNonNull(model, "model");
    BasicFileAttributes attrs = Files.readAttributes(model, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (attrs.isSymbolicLink()) {
      if (!allowSymlinks) {
        throw refusedLink(model);
      }
      attrs = Files.readAttributes(model, BasicFileAttributes.class);
    }
    List<FileItem> files = new ArrayList<>();
    Serialization serialization;
    if (attrs.isRegularFile()) {
      Path name = model.toAbsolutePath().normalize().getFileName();
      if (name == null) {
        throw new ManifestException(model, "cannot name the single-file model " + model);
      }
      files.add(new FileItem(checkedName(model, name.toString()), model, attrs.size()));
      serialization = serialization(List.of()); // OMS: nothing is ignored in a single-file model
    } else if (attrs.isDirectory()) {
      walk(model, files);
      serialization = serialization();
    } else {
      throw new ManifestException(model, model + " is neither a regular file nor a directory");
    }
    if (files.isEmpty()) {
      throw new ManifestException(model, "model " + model + " contains no regular file to hash"
          + (ignorePaths.isEmpty() ? "" : " after ignoring " + ignorePaths));
    }
    List<Task> tasks = plan(files);
    if (tasks.isEmpty()) {
      throw new ManifestException(model, "model " + model + " contains only empty files, which the shards"
          + " method omits; hash it with the files method");
    }
    byte[][] digests = run(tasks);
    List<Resource> resources = new ArrayList<>(tasks.size());
    for (int i = 0; i < tasks.size(); i++) {
      resources.add(new Resource(tasks.get(i).name, Digest.ofSha256(digests[i])));
    }
    return ModelManifest.of(serialization, resources);
  }

  // ---------------------------------------------------------------- enumeration

  private record FileItem(String name, Path path, long size) {}

  private record Task(String name, Path path, long fileSize, long start, long length) {}

  private void walk(Path root, List<FileItem> out) throws IOException, ManifestException {
    Set<FileVisitOption> options = allowSymlinks ? EnumSet.of(FileVisitOption.FOLLOW_LINKS) : Set.of();
    Serialization ignore = serialization();
    try {
      Files.walkFileTree(root, options, Integer.MAX_VALUE, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes a) {
          if (dir.equals(root)) {
            return FileVisitResult.CONTINUE;
          }
          String name = relativeName(root, dir);
          if (ignore.ignores(name)) {
            return FileVisitResult.SKIP_SUBTREE;
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes a) {
          String name = relativeName(root, file);
          if (ignore.ignores(name)) {
            return FileVisitResult.CONTINUE;
          }
          if (a.isSymbolicLink()) {
            throw new Carrier(refusedLink(file));
          }
          if (!a.isRegularFile()) {
            throw new Carrier(new ManifestException(file, "cannot hash " + file
                + ": not a regular file (a socket, pipe or device?)"));
          }
          try {
            out.add(new FileItem(checkedName(file, name), file, a.size()));
          } catch (ManifestException e) {
            throw new Carrier(e);
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
          if (e instanceof FileSystemLoopException) {
            throw new Carrier(new ManifestException(file, "symbolic link cycle at " + file, e));
          }
          throw e;
        }
      });
    } catch (Carrier c) {
      throw c.exception;
    }
  }

  /** Carries a checked ManifestException out of a FileVisitor. */
  private static final class Carrier extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient ManifestException exception;

    Carrier(ManifestException e) {
      super(e.getMessage(), null, false, false);
      this.exception = e;
    }
  }

  private static String relativeName(Path root, Path p) {
    Path rel = root.relativize(p);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < rel.getNameCount(); i++) {
      if (i > 0) {
        b.append(ResourceNames.SEPARATOR);
      }
      b.append(rel.getName(i));
    }
    return b.toString();
  }

  private static String checkedName(Path file, String name) throws ManifestException {
    String problem = ResourceNames.pathProblem(name);
    if (problem != null) {
      throw new ManifestException(file, "cannot name " + file + " in a manifest: " + problem);
    }
    return name;
  }

  private ManifestException refusedLink(Path link) {
    String target;
    try {
      target = " -> " + Files.readSymbolicLink(link);
    } catch (IOException | UnsupportedOperationException e) {
      target = "";
    }
    return new ManifestException(link, "refusing symbolic link " + link + target
        + " (symbolic links are not hashed by default; remove it, ignore it, or allow symlinks)");
  }

  private List<Task> plan(List<FileItem> files) {
    List<Task> tasks = new ArrayList<>();
    for (FileItem f : files) {
      if (method == Method.FILES) {
        tasks.add(new Task(f.name(), f.path(), f.size(), 0, f.size()));
      } else {
        for (long start = 0; start < f.size(); start += shardSize) {
          long end = Math.min(f.size(), start + shardSize);
          tasks.add(new Task(ResourceNames.shardName(f.name(), start, end), f.path(), f.size(), start, end - start));
        }
      }
    }
    // Largest first: the long items start early and the short ones fill the gaps at the end.
    tasks.sort(Comparator.comparingLong(Task::length).reversed());
    return tasks;
  }

  // ---------------------------------------------------------------- hashing

  private byte[][] run(List<Task> tasks) throws IOException, ManifestException {
    long total = 0;
    for (Task t : tasks) {
      total += t.length();
    }
    byte[][] results = new byte[tasks.size()][];
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean cancelled = new AtomicBoolean();
    ProgressCounter counter = new ProgressCounter(progress, total);
    int workers = Math.max(1, Math.min(threads, tasks.size()));
    ExecutorService pool = Executors.newFixedThreadPool(workers, daemonThreads());
    try {
      List<Future<Void>> futures = new ArrayList<>(workers);
      for (int w = 0; w < workers; w++) {
        futures.add(pool.submit(() -> {
          work(tasks, results, next, cancelled, counter);
          return null;
        }));
      }
      for (Future<Void> f : futures) {
        try {
          f.get();
        } catch (ExecutionException e) {
          cancelled.set(true);
          rethrow(e.getCause());
        }
      }
    } catch (InterruptedException e) {
      cancelled.set(true);
      Thread.currentThread().interrupt();
      InterruptedIOException ie = new InterruptedIOException("hashing interrupted");
      ie.initCause(e);
      throw ie;
    } finally {
      cancelled.set(true);
      pool.shutdown();
    }
    return results;
  }

  /** Rethrows a worker's failure with its own type. */
  private static void rethrow(@Nullable Throwable t) throws IOException, ManifestException {
    if (t instanceof IOException e) {
      throw e;
    }
    if (t instanceof ManifestException e) {
      throw e;
    }
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    throw new IllegalStateException("hashing failed", t);
  }

  private void work(List<Task> tasks, byte[][] results, AtomicInteger next, AtomicBoolean cancelled,
      ProgressCounter counter) throws IOException, ManifestException {
    FileRangeHasher reader = new FileRangeHasher(bufferSize);
    Sha256Engine.Hasher hasher = engine.newHasher();
    Task previous = null;
    Task current = null;
    try {
      int i;
      while (!cancelled.get() && (i = next.getAndIncrement()) < tasks.size()) {
        Task t = tasks.get(i);
        previous = current;
        current = t;
        try (FileChannel ch = open(t.path())) {
          try {
            if (!reader.hash(ch, t.path(), t.start(), t.length(), hasher, counter::add, cancelled)) {
              return;
            }
          } catch (FileRangeHasher.ShrankException e) {
            throw changed(t, e.how());
          }
          long size = ch.size();
          if (size != t.fileSize()) {
            throw changed(t, "is now " + size + " bytes, was " + t.fileSize());
          }
        }
        results[i] = hasher.finish();
      }
    } catch (IOException | ManifestException e) {
      cancelled.set(true);
      throw e;
    } catch (InternalError e) {
      // A mapped file that shrank faults on access. The JVM reports that as an InternalError, and may
      // raise it a little later (at the next transition, e.g. opening the next file): look at both.
      cancelled.set(true);
      for (Task t : new Task[] {current, previous}) {
        long size = t == null ? -2 : sizeNow(t.path());
        if (t != null && size != t.fileSize()) {
          throw changed(t, size < 0 ? "is gone" : "is now " + size + " bytes, was " + t.fileSize());
        }
      }
      throw e;
    }
  }

  private static long sizeNow(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * Opens a listed file. With symbolic links refused, a file replaced by a link after it was listed is
   * refused too, not followed (O_NOFOLLOW): an equal-sized link target would otherwise be hashed
   * under the file's name.
   */
  private FileChannel open(Path file) throws IOException, ManifestException {
    if (allowSymlinks) {
      return FileChannel.open(file, StandardOpenOption.READ);
    }
    try {
      return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) { // ELOOP: "Too many levels of symbolic links (NOFOLLOW_LINKS specified)"
      if (Files.isSymbolicLink(file)) {
        throw refusedLink(file);
      }
      throw e;
    }
  }

  private static ManifestException changed(Task t, String how) {
    return new ManifestException(t.path(), "file " + t.path() + " changed while it was hashed (it " + how
        + "); hash a model that is not being written");
  }

  /** Serializes progress calls so a listener sees one call at a time and non-decreasing counts. */
  private static final class ProgressCounter {
    private final HashProgress listener;
    private final long total;
    private long done;

    ProgressCounter(HashProgress listener, long total) {
      this.listener = listener;
      this.total = total;
      listener.onProgress(0, total);
    }

    synchronized void add(long n) {
      done += n;
      listener.onProgress(done, total);
    }
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "custody-hash-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  // ---------------------------------------------------------------- builder

  /** Options for a {@link ModelHasher}; every default is the reference implementation's. */
  public static final class Builder {
    private Method method = Method.FILES;
    private long shardSize;
    private boolean allowSymlinks;
    private boolean ignoreGitPaths = true;
    private final List<String> ignorePaths = new ArrayList<>();
    private int threads = Runtime.getRuntime().availableProcessors();
    private int bufferSize = DEFAULT_BUFFER_SIZE;
    private Sha256Engine engine = Sha256Engine.AUTO;
    private HashProgress progress = HashProgress.NONE;

    private Builder() {}

    /** One resource per file (the default). */
    public Builder files() {
      method = Method.FILES;
      shardSize = 0;
      return this;
    }

    /** One resource per shard of {@link Serialization#DEFAULT_SHARD_SIZE} bytes. */
    public Builder shards() {
      return shards(Serialization.DEFAULT_SHARD_SIZE);
    }

    /** One resource per shard of {@code size} bytes. */
    public Builder shards(long size) {
      if (size <= 0) {
        throw new IllegalArgumentException("shard size must be positive, got " + size);
      }
      method = Method.SHARDS;
      shardSize = size;
      return this;
    }

    /** Follow symbolic links instead of refusing them (default: refuse). */
    public Builder allowSymlinks(boolean allow) {
      allowSymlinks = allow;
      return this;
    }

    /** Whether to ignore {@link #DEFAULT_IGNORE_PATHS} (default: yes). */
    public Builder ignoreGitPaths(boolean ignore) {
      ignoreGitPaths = ignore;
      return this;
    }

    /**
     * Also ignores {@code path}, relative to the model root with {@code /} separators (OMS §6.2.1:
     * an exact relative path; a directory is ignored with its subtree).
     */
    public Builder ignorePath(String path) {
      ignorePaths.add(ResourceNames.checkPath(path));
      return this;
    }

    /** {@link #ignorePath} for each of {@code paths}. */
    public Builder ignorePaths(Iterable<String> paths) {
      paths.forEach(this::ignorePath);
      return this;
    }

    /** Worker threads (default: available processors). */
    public Builder threads(int n) {
      if (n < 1 || n > 1024) {
        throw new IllegalArgumentException("threads must be in [1, 1024], got " + n);
      }
      threads = n;
      return this;
    }

    /** Read buffer per thread in bytes (default {@value #DEFAULT_BUFFER_SIZE}). */
    public Builder bufferSize(int bytes) {
      if (bytes < MIN_BUFFER_SIZE || bytes > MAX_BUFFER_SIZE) {
        throw new IllegalArgumentException("buffer size must be in [" + MIN_BUFFER_SIZE + ", " + MAX_BUFFER_SIZE
            + "], got " + bytes);
      }
      bufferSize = bytes;
      return this;
    }

    /** The SHA-256 implementation (default {@link Sha256Engine#AUTO}). */
    public Builder engine(Sha256Engine e) {
      engine = Objects.requireNonNull(e, "engine");
      return this;
    }

    /** Where to report progress (default: nowhere). */
    public Builder progress(HashProgress listener) {
      progress = Objects.requireNonNull(listener, "progress");
      return this;
    }

    public ModelHasher build() {
      return new ModelHasher(this);
    }
  }
}
