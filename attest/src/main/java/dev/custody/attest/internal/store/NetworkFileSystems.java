package dev.custody.attest.internal.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * File systems on which the file store refuses to write unless told otherwise: those whose locks
 * may not be shared between the machines that mount them, so that two writers could each hold "the"
 * ledger lock and overwrite each other's entries. Classified by the type the JDK reports for the
 * mount ({@link java.nio.file.FileStore#type()}, on Linux the type column of {@code /proc/mounts}):
 *
 * <ul>
 *   <li>network file systems: {@code nfs}, {@code nfs4}, {@code cifs}, {@code smb}, {@code smb2},
 *       {@code smb3}, {@code smbfs}, {@code ncpfs}, {@code afs}, {@code coda}, {@code 9p},
 *       {@code ceph}, {@code glusterfs}, {@code lustre}, {@code gpfs}, {@code beegfs},
 *       {@code davfs}, {@code sshfs}, {@code afpfs}, {@code webdav}, {@code vboxsf}, {@code vmhgfs},
 *       {@code virtiofs}, {@code drvfs}, {@code 9p2000};
 *   <li>FUSE file systems: {@code fuse}, {@code fuseblk}, {@code fuse.*} (e.g. {@code fuse.sshfs},
 *       {@code fuse.s3fs}, {@code fuse.rclone}, {@code fuse.gcsfuse}): whether their locks reach the
 *       other machines depends on the daemon, and for sshfs they do not.
 * </ul>
 *
 * Types are compared case-insensitively. Everything else (ext4, xfs, btrfs, zfs, tmpfs, overlay,
 * apfs, ntfs, …) is local. The list is a guard against a mistake, not a proof: a local type over a
 * network block device shared by two machines is not detected, and the foreign-write check
 * ({@link TailGuard}) is the second line.
 */
public final class NetworkFileSystems {
  private static final Set<String> NETWORK = Set.of("nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs",
      "afs", "coda", "9p", "9p2000", "ceph", "glusterfs", "lustre", "gpfs", "beegfs", "davfs", "sshfs", "afpfs",
      "webdav", "vboxsf", "vmhgfs", "virtiofs", "drvfs");

  private NetworkFileSystems() {}

  /**
   * Why a file system of this type is refused for writing ("a network file system", "a FUSE file
   * system"), or empty if it is local.
   */
  public static Optional<String> classify(String type) {
    String t = type == null ? "" : type.strip().toLowerCase(Locale.ROOT);
    if (NETWORK.contains(t)) {
      return Optional.of("a network file system (" + t + ")");
    }
    if (t.equals("fuse") || t.equals("fuseblk") || t.startsWith("fuse.")) {
      return Optional.of("a FUSE file system (" + t + ")");
    }
    return Optional.empty();
  }

  /** The type of the file system holding {@code dir}. */
  public static String typeOf(Path dir) throws IOException {
    return Files.getFileStore(dir).type();
  }

  /**
   * What a writer may do on a file system of type {@code type} holding ledger {@code dir}: nothing
   * to say on a local one; on a network or FUSE one, refuse unless {@code allowed}, and then say
   * why it is risky (for the caller to warn).
   *
   * @return the warning when writing there was allowed
   * @throws NetworkFileSystemException when it was not
   */
  public static Optional<String> requireAllowed(Path dir, String type, boolean allowed) throws NetworkFileSystemException {
    Optional<String> network = classify(type);
    if (network.isEmpty()) {
      return Optional.empty();
    }
    if (!allowed) {
      throw new NetworkFileSystemException(dir, network.get());
    }
    return Optional.of("writing ledger " + dir + " on " + network.get() + " because it was allowed: its locks may not"
        + " be shared between machines, so make sure only this machine writes the ledger");
  }
}
