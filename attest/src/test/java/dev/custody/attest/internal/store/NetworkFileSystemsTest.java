package dev.custody.attest.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which file systems the writer refuses (issue 7, item 15), by the type the JDK reports for a mount. */
class NetworkFileSystemsTest {
  @ParameterizedTest
  @ValueSource(strings = {"nfs", "nfs4", "NFS4", "cifs", "smb", "smb2", "smb3", "smbfs", "9p", "ceph", "glusterfs",
      "lustre", "afs", "davfs", "sshfs", "virtiofs", "vboxsf", "drvfs", " nfs "})
  void classify_networkFileSystem_refusedAsNetwork(String type) {
    assertThat(NetworkFileSystems.classify(type)).get().asString().startsWith("a network file system (");
  }

  @ParameterizedTest
  @ValueSource(strings = {"fuse", "fuseblk", "fuse.sshfs", "fuse.s3fs", "fuse.rclone", "fuse.gcsfuse", "FUSE.SSHFS"})
  void classify_fuseFileSystem_refusedAsFuse(String type) {
    assertThat(NetworkFileSystems.classify(type)).get().asString().startsWith("a FUSE file system (");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ext4", "ext3", "xfs", "btrfs", "zfs", "tmpfs", "overlay", "apfs", "ntfs", "f2fs", "",
      "nfsd", "fusectl", "smbx"})
  void classify_localFileSystem_allowed(String type) {
    assertThat(NetworkFileSystems.classify(type)).isEmpty();
  }

  @Test
  void classify_null_allowed() {
    assertThat(NetworkFileSystems.classify(null)).isEmpty();
  }

  @Test
  void requireAllowed_networkNotAllowed_refusedSayingWhyAndHowToInsist() {
    assertThatThrownBy(() -> NetworkFileSystems.requireAllowed(Path.of("/mnt/shared/ledger"), "fuse.sshfs", false))
        .isInstanceOf(NetworkFileSystemException.class)
        .hasMessageContaining("ledger /mnt/shared/ledger is on a FUSE file system (fuse.sshfs)")
        .hasMessageContaining("overwrite each other's entries").hasMessageContaining("nothing was changed")
        .hasMessageContaining("--allow-network-fs").hasMessageContaining("shared database store");
  }

  @Test
  void requireAllowed_networkAllowed_warns() throws Exception {
    assertThat(NetworkFileSystems.requireAllowed(Path.of("/mnt/nfs/ledger"), "nfs4", true)).get().asString()
        .contains("on a network file system (nfs4) because it was allowed")
        .contains("make sure only this machine writes the ledger");
  }

  @Test
  void requireAllowed_local_nothingToSay() throws Exception {
    assertThat(NetworkFileSystems.requireAllowed(Path.of("/srv/ledger"), "ext4", false)).isEmpty();
  }

  @Test
  void open_thisMachinesTemporaryDirectory_isLocal(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    // The tests' own ledgers live here: the check must not refuse them.
    assertThat(NetworkFileSystems.classify(NetworkFileSystems.typeOf(dir))).isEmpty();
  }
}
