package dev.custody.attest;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The host and runtime facts a recorded command ran with — the {@code environment} of a
 * {@code custody run} event — and nothing secret.
 *
 * <h2>Keys</h2>
 * <pre>
 * host.name                 the host name (from $HOSTNAME or /etc/hostname)
 * os.name os.version os.arch
 * cpu.model                 /proc/cpuinfo "model name" (Linux; absent elsewhere)
 * cpu.cores                 processors available to the JVM
 * memory.total              physical memory in bytes
 * gpu.N                     "name, driver_version, memory.total" per GPU, from
 *                           nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
 *                           when it answers within {@link #PROBE_TIMEOUT}
 * java.version java.vendor java.vm.name
 * git.commit git.dirty      of the working directory, if it is in a git work tree (git rev-parse HEAD;
 *                           dirty = tracked files modified or staged, untracked files not counted)
 * env.NAME                  the value of each variable of {@link #ALLOWED_ENV} that is set
 * </pre>
 *
 * <h2>Environment variables: allow-list only</h2>
 * Only the variables in {@link #ALLOWED_ENV} are recorded: ones that decide placement, parallelism
 * and determinism of a training job and identify the scheduler job or CI run. Nothing else is ever
 * read into the ledger — in particular no tokens, keys, passwords or credentials, whose names
 * are too varied for a deny-list to catch. Ledgers are not confidential (SECURITY.md).
 */
public final class RunEnvironment {
  /**
   * Environment variables recorded as {@code env.NAME} when set. Documented in README.md; add to
   * it only names whose values are never secret.
   */
  public static final List<String> ALLOWED_ENV = List.of(
      // accelerators and threads
      "CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES",
      "CUDA_VERSION", "CUDNN_VERSION", "NCCL_VERSION", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
      // determinism
      "PYTHONHASHSEED", "CUBLAS_WORKSPACE_CONFIG", "TF_DETERMINISTIC_OPS", "TF_CUDNN_DETERMINISTIC",
      // distributed training (torchrun)
      "WORLD_SIZE", "RANK", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "NODE_RANK",
      // schedulers
      "SLURM_JOB_ID", "SLURM_JOB_NAME", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID", "SLURM_CLUSTER_NAME",
      "SLURM_JOB_NUM_NODES", "SLURM_NTASKS", "SLURM_GPUS", "PBS_JOBID", "LSB_JOBID",
      // CI runs
      "GITHUB_RUN_ID", "GITHUB_RUN_ATTEMPT", "GITHUB_REPOSITORY", "GITHUB_SHA", "GITHUB_WORKFLOW",
      "CI_PIPELINE_ID", "CI_JOB_ID", "CI_COMMIT_SHA", "BUILD_ID",
      // offline / cache behaviour of model hubs (not the tokens)
      "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE",
      // Python environment
      "VIRTUAL_ENV", "CONDA_DEFAULT_ENV");
  /** Longest a probe (nvidia-smi, git) may take before it is abandoned. */
  public static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);
  /** Most bytes read from a probe's output. */
  private static final int MAX_PROBE_OUTPUT = 64 * 1024;

  private RunEnvironment() {}

  /**
   * The facts above, for a command run in {@code workingDir}, reading variables from {@code env}.
   * Never fails: a fact that cannot be learnt is left out.
   */
  public static SortedMap<String, String> capture(Path workingDir, Map<String, String> env) {
    Objects.requireNonNull(workingDir, "workingDir");
    Objects.requireNonNull(env, "env");
    SortedMap<String, String> m = new TreeMap<>();
    hostName(env).ifPresent(h -> m.put("host.name", h));
    m.put("os.name", System.getProperty("os.name"));
    m.put("os.version", System.getProperty("os.version"));
    m.put("os.arch", System.getProperty("os.arch"));
    cpuModel().ifPresent(c -> m.put("cpu.model", c));
    m.put("cpu.cores", Integer.toString(Runtime.getRuntime().availableProcessors()));
    totalMemory().ifPresent(b -> m.put("memory.total", Long.toString(b)));
    probe(List.of("nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"), workingDir)
        .ifPresent(out -> {
          int i = 0;
          for (String line : (Iterable<String>) out.lines()::iterator) {
            if (!line.isBlank()) {
              m.put("gpu." + i++, line.strip());
            }
          }
        });
    m.put("java.version", System.getProperty("java.version"));
    m.put("java.vendor", System.getProperty("java.vendor"));
    m.put("java.vm.name", System.getProperty("java.vm.name"));
    probe(List.of("git", "rev-parse", "HEAD"), workingDir).map(String::strip)
        .filter(s -> s.matches("[0-9a-f]{40}|[0-9a-f]{64}")).ifPresent(commit -> {
          m.put("git.commit", commit);
          probe(List.of("git", "status", "--porcelain", "--untracked-files=no"), workingDir)
              .ifPresent(s -> m.put("git.dirty", Boolean.toString(!s.isBlank())));
        });
    for (String name : ALLOWED_ENV) {
      String v = env.get(name);
      if (v != null) {
        m.put("env." + name, v);
      }
    }
    return m;
  }

  private static Optional<String> hostName(Map<String, String> env) {
    String h = env.get("HOSTNAME");
    if (h != null && !h.isBlank()) {
      return Optional.of(h.strip());
    }
    try {
      Path p = Path.of("/etc/hostname");
      if (Files.isRegularFile(p)) {
        String s = Files.readString(p).strip();
        return s.isEmpty() ? Optional.empty() : Optional.of(s);
      }
    } catch (IOException | RuntimeException e) {
      // Left out.
    }
    return Optional.empty();
  }

  private static Optional<String> cpuModel() {
    try {
      Path p = Path.of("/proc/cpuinfo");
      if (!Files.isReadable(p)) {
        return Optional.empty();
      }
      for (String line : Files.readAllLines(p)) {
        if (line.startsWith("model name")) {
          int colon = line.indexOf(':');
          if (colon > 0) {
            return Optional.of(line.substring(colon + 1).strip());
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // Left out.
    }
    return Optional.empty();
  }

  private static Optional<Long> totalMemory() {
    try {
      if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
        return Optional.of(os.getTotalMemorySize());
      }
    } catch (RuntimeException | LinkageError e) {
      // Left out.
    }
    return Optional.empty();
  }

  /** Runs {@code cmd} in {@code dir}; its stdout if it exits 0 within the timeout. */
  static Optional<String> probe(List<String> cmd, Path dir) {
    Process p;
    try {
      p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      p.getOutputStream().close(); // no input: a probe that asks for some sees end of file
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // not installed
    }
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> readCapped(p.getInputStream()));
    try {
      if (!p.waitFor(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return Optional.empty();
      }
      String s = out.get(PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      return p.exitValue() == 0 ? Optional.of(s) : Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      return Optional.empty();
    } catch (Exception e) {
      p.destroyForcibly();
      return Optional.empty();
    }
  }

  private static String readCapped(InputStream in) {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] b = new byte[8192];
    try (in) {
      int n;
      while ((n = in.read(b)) > 0) {
        if (buf.size() < MAX_PROBE_OUTPUT) {
          buf.write(b, 0, Math.min(n, MAX_PROBE_OUTPUT - buf.size()));
        }
      }
    } catch (IOException e) {
      // Use what was read.
    }
    return buf.toString(StandardCharsets.UTF_8);
  }
}
