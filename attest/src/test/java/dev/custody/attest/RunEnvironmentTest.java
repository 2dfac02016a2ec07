package dev.custody.attest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunEnvironmentTest {
  @TempDir Path tmp;

  @Test
  void capture_allowListedVariablesOnly_secretsNeverRecorded() {
    SortedMap<String, String> m = RunEnvironment.capture(tmp, Map.of(
        "PYTHONHASHSEED", "0", "CUDA_VISIBLE_DEVICES", "0,1", "SLURM_JOB_ID", "42",
        "AWS_SECRET_ACCESS_KEY", "s3cr3t", "HF_TOKEN", "hf_x", "GITHUB_TOKEN", "ghp_x", "PATH", "/bin"));

    assertThat(m).containsEntry("env.PYTHONHASHSEED", "0").containsEntry("env.CUDA_VISIBLE_DEVICES", "0,1")
        .containsEntry("env.SLURM_JOB_ID", "42");
    assertThat(m.keySet()).filteredOn(k -> k.startsWith("env.")).hasSize(3);
    assertThat(m.values()).doesNotContain("s3cr3t", "hf_x", "ghp_x");
  }

  @Test
  void capture_hostFacts_present() {
    SortedMap<String, String> m = RunEnvironment.capture(tmp, Map.of());

    assertThat(m).containsKeys("os.name", "os.arch", "cpu.cores", "java.version");
    assertThat(m).doesNotContainKey("git.commit"); // tmp is not a git work tree
  }

  @Test
  void allowList_namesNoObviousSecret() {
    assertThat(RunEnvironment.ALLOWED_ENV).noneMatch(n -> n.matches(".*(TOKEN|SECRET|PASSWORD|PASSWD|KEY|CREDENTIAL).*"));
  }
}
