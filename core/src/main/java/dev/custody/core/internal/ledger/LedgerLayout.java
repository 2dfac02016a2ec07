package dev.custody.core.internal.ledger;

import dev.custody.core.Digest;
import dev.custody.core.FormatException;
import dev.custody.core.internal.io.SmallFiles;
import dev.custody.core.internal.text.UnsignedDecimal;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The on-disk layout of a file ledger (format {@value #FORMAT}):
 *
 * <pre>
 * DIR/ledger.json                      {"format":"custody/ledger/v1"}: marks the directory as a ledger;
 *                                      written last when a ledger is created
 * DIR/lock                             held (OS file lock) by a process while it appends; holds the tail the
 *                                      last writer announced (attest's TailNote), against unlocked writers
 * DIR/segments/NNNNNNNNNNNNNNNNNNNN.jsonl  entry records, one per line ('\n'-terminated), in log order;
 *                                      NNN… = log index of the segment's first record, 20 digits
 * DIR/torn/                            bytes of incomplete records cut off after a crash
 * DIR/log/config.json                  the log's identity: {@link LogConfig} (origin, checkpoint interval)
 * DIR/log/vkey                         the log's note verifier key, {@code name+hex8(keyID)+base64(0x01||key)}
 * DIR/log/key-location                 where the log's private key is, outside the ledger: its absolute path
 *                                      (a hint, not trusted; attest's {@code LogKeyLocation})
 * DIR/log/key                          only in ledgers made before the key moved out: the log's private key,
 *                                      {@code PRIVATE+KEY+…} (mode 0600; secret; commands warn about it)
 * DIR/checkpoint                       the newest signed checkpoint (C2SP tlog-checkpoint in a signed note)
 * DIR/checkpoints/N                    every signed checkpoint made, N = its tree size in decimal
 * DIR/tile/L/NNN                       full 256-wide hash tiles of the Merkle tree ({@link TilePath},
 *                                      C2SP tlog-tiles paths); derived data, rebuilt from the segments
 * DIR/manifests/sha256-HEX.json        model manifests named by the SHA-256 of their bytes ({@link ManifestFiles})
 * DIR/certificates/KEYID.pem           a signer's X.509 chain, leaf first, for key KEYID ({@link CertificateFiles});
 *                                      untrusted until a verifier validates it against a policy's roots
 * DIR/index/chains                     chain ids, one per line; line number = chain number (record index)
 * DIR/index/NNN….idx                   per segment NNN….jsonl, 56-byte rows, one per record: end offset,
 *                                      chain number, sequence, entry hash, CRC-32C (attest's
 *                                      {@code RecordIndex}); derived data, checked on open, rebuilt from
 *                                      the segments when missing, short or inconsistent
 * </pre>
 *
 * <p>Everything inside the directory is a regular file or a directory, reached without following
 * links ({@link LedgerFiles}); the directory itself may be a link. Atomic writes leave, if
 * interrupted, a temporary file {@code .NAME.<16 hex>.tmp} ({@link #isTemporaryName}) in any of these
 * directories: readers ignore it, writers remove it.
 *
 * <p>The {@code log/} files, {@code checkpoint} and {@code checkpoints/} are absent in ledgers made
 * before transparency (or with {@code Ledger.create} on a plain store): such ledgers still open and
 * verify, with a "no checkpoint" finding. The tiles are an index a writer keeps so that opening and
 * proving do not rehash the log; verifiers never read them (they recompute the tree from the
 * segments), and a writer checks them against the newest checkpoint on open and rebuilds them when
 * they are missing, short or wrong.
 *
 * A record line is the exact bytes of an entry's JWS ({@link dev.custody.core.entry.EntryRecord});
 * the line's position in the concatenated segments is the entry's log index (from 0), which is also
 * its Merkle leaf index. Only the last segment may end in a line without '\n' (a torn write).
 */
public final class LedgerLayout {
  public static final String FORMAT = "custody/ledger/v1";
  public static final String MARKER = "ledger.json";
  public static final String LOCK = "lock";
  public static final String SEGMENTS = "segments";
  public static final String SEGMENT_SUFFIX = ".jsonl";
  /** Digits of the first log index in a segment's name, zero-padded: {@code Long.MAX_VALUE} has 19. */
  public static final int SEGMENT_DIGITS = 20;
  private static final Pattern SEGMENT_NAME = Pattern.compile("[0-9]{" + SEGMENT_DIGITS + "}\\.jsonl");
  /** Directory of the log identity files. */
  public static final String LOG_DIR = "log";
  /** The log's {@link LogConfig}, relative to the ledger. */
  public static final String LOG_CONFIG = "log/config.json";
  /** The log's verifier key string, relative to the ledger. */
  public static final String LOG_VKEY = "log/vkey";
  /**
   * Where ledgers made before the key moved out keep the log's private note key, relative to the ledger
   * (mode 0600). New ledgers keep it outside and record where in {@link #LOG_KEY_HINT}.
   */
  public static final String LOG_KEY = "log/key";
  /** Where the log's private key is (an absolute path, one line; a hint, not trusted), relative to the ledger. */
  public static final String LOG_KEY_HINT = "log/key-location";
  /** The newest signed checkpoint. */
  public static final String CHECKPOINT = "checkpoint";
  /** Directory of all signed checkpoints, one file per tree size. */
  public static final String CHECKPOINTS = "checkpoints";
  /** Directory of the hash tiles. */
  public static final String TILES = "tile";
  /** Largest checkpoint file read: a signed note with at most 100 signatures is well under this. */
  public static final int MAX_CHECKPOINT_FILE_BYTES = 1 << 20;
  /** Most stored checkpoints a verifier reads; more is a hostile or misconfigured ledger. */
  public static final int MAX_CHECKPOINTS = 1_000_000;

  private LedgerLayout() {}

  /** File name of the segment whose first record has log index {@code firstIndex}. */
  public static String segmentName(long firstIndex) {
    return String.format("%0" + SEGMENT_DIGITS + "d%s", firstIndex, SEGMENT_SUFFIX);
  }

  /**
   * Whether {@code name} is a segment's file name: {@value #SEGMENT_DIGITS} decimal digits, the first log
   * index (at most {@link Long#MAX_VALUE}, zero-padded), then {@value #SEGMENT_SUFFIX}; exactly what
   * {@link #segmentName} writes. The one test of a segment name, for the store and the verifier.
   */
  public static boolean isSegmentName(String name) {
    if (name == null || !SEGMENT_NAME.matcher(name).matches()) {
      return false;
    }
    // 20 digits reach beyond Long.MAX_VALUE (19 digits): such a name is no segment custody could write.
    return name.compareTo(segmentName(Long.MAX_VALUE)) <= 0;
  }

  /**
   * The first log index a segment's name declares.
   *
   * @throws IllegalArgumentException if the file's name is not a segment name ({@link #isSegmentName})
   */
  public static long firstIndexOf(Path segment) {
    String name = segment.getFileName().toString();
    if (!isSegmentName(name)) {
      throw new IllegalArgumentException(Untrusted.quote(name) + " is not a segment name (<20-digit first log"
          + " index>" + SEGMENT_SUFFIX + ")");
    }
    return Long.parseLong(name.substring(0, SEGMENT_DIGITS));
  }

  /**
   * Checks that {@code dir} is a ledger: a directory (possibly reached through a link the user gave)
   * holding the marker {@value #MARKER} as a regular file (not a link, see {@link LedgerFiles}) with
   * this format.
   *
   * @throws FormatException saying what is missing and how to create a ledger
   */
  public static void requireLedger(Path dir) throws FormatException {
    if (!Files.isDirectory(dir)) {
      throw new FormatException("no ledger at " + dir + " (directory does not exist; run 'custody init --ledger "
          + dir + "' or set CUSTODY_LEDGER)");
    }
    Path marker = dir.resolve(MARKER);
    try {
      LedgerFiles files = LedgerFiles.of(dir);
      if (!files.isFile(marker)) {
        throw new FormatException(dir + " is not a custody ledger (no " + MARKER + "; run 'custody init --ledger "
            + dir + "'; an interrupted 'custody init' leaves no " + MARKER + " and can simply be run again)");
      }
      String text = new String(files.read(marker, MAX_MARKER_BYTES), java.nio.charset.StandardCharsets.UTF_8).strip();
      if (!text.equals("{\"format\":\"" + FORMAT + "\"}")) {
        throw new FormatException(marker + ": unsupported ledger format " + dev.custody.core.internal.text.Untrusted.quote(text)
            + " (this custody reads " + FORMAT + ")");
      }
    } catch (IOException e) {
      throw new FormatException("cannot read " + marker + ": " + e.getMessage(), e);
    }
  }

  /** Largest marker file read; the marker is one short line. */
  private static final int MAX_MARKER_BYTES = 4096;

  /** File name of the stored checkpoint for tree size {@code size}: the size in decimal ({@link UnsignedDecimal}). */
  public static String checkpointName(long size) {
    return Long.toString(size);
  }

  /**
   * File-name suffix of an RFC 3161 timestamp response stored beside a checkpoint
   * ({@code checkpoints/N.tsr}, {@code checkpoint.tsr}); the same as
   * {@code dev.custody.core.timestamp.TimestampToken.SIDECAR_SUFFIX}.
   */
  public static final String TIMESTAMP_SUFFIX = ".tsr";

  /**
   * The stored checkpoint files {@code checkpoints/N}, sorted by tree size; the timestamps stored
   * beside them ({@code checkpoints/N.tsr}, only for an N that has a checkpoint); temporary files
   * left by an interrupted atomic write ({@link #isTemporaryName}: not read, removed by the next
   * writer); and files there that are none of these (for the caller to report).
   */
  public record CheckpointFiles(java.util.SortedMap<Long, Path> bySize, java.util.SortedMap<Long, Path> timestamps,
      List<Path> stray, List<Path> temporaries) {}

  /**
   * Lists {@code DIR/checkpoints/}; empty when the directory does not exist.
   *
   * @throws UnsafeFileException if the directory or an entry in it is a link or special file ({@link LedgerFiles})
   */
  public static CheckpointFiles checkpointFiles(Path dir) throws IOException, FormatException {
    LedgerFiles files = LedgerFiles.of(dir);
    java.util.TreeMap<Long, Path> bySize = new java.util.TreeMap<>();
    java.util.TreeMap<Long, Path> timestamps = new java.util.TreeMap<>();
    List<Path> sidecars = new ArrayList<>();
    List<Path> stray = new ArrayList<>();
    List<Path> temporaries = new ArrayList<>();
    Path cpDir = dir.resolve(CHECKPOINTS);
    if (files.isDirectory(cpDir)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(cpDir)) {
        for (Path p : ds) {
          String name = p.getFileName().toString();
          boolean file = files.kind(p) == LedgerFiles.Kind.FILE;
          if (file && isTemporaryName(name)) {
            temporaries.add(p);
          } else if (name.endsWith(TIMESTAMP_SUFFIX)) {
            sidecars.add(p); // matched with its checkpoint below, once all checkpoints are known
          } else if (UnsignedDecimal.isCanonical(name) && file) {
            bySize.put(Long.parseLong(name), p);
          } else {
            stray.add(p);
          }
          if (bySize.size() + sidecars.size() + stray.size() + temporaries.size() > 2L * MAX_CHECKPOINTS) {
            throw new FormatException(cpDir + ": more than " + 2L * MAX_CHECKPOINTS + " files");
          }
        }
      }
    }
    for (Path p : sidecars) {
      String name = p.getFileName().toString();
      String of = name.substring(0, name.length() - TIMESTAMP_SUFFIX.length());
      Path checkpoint = UnsignedDecimal.isCanonical(of) && files.kind(p) == LedgerFiles.Kind.FILE
          ? bySize.get(Long.parseLong(of)) : null;
      if (checkpoint != null) {
        timestamps.put(Long.parseLong(of), p);
      } else {
        stray.add(p); // a timestamp of no stored checkpoint
      }
    }
    stray.sort(null);
    temporaries.sort(null);
    return new CheckpointFiles(java.util.Collections.unmodifiableSortedMap(bySize),
        java.util.Collections.unmodifiableSortedMap(timestamps), List.copyOf(stray), List.copyOf(temporaries));
  }

  /**
   * Temporary files of custody's atomic writes (write, fsync, rename): {@code .NAME.<16 hex>.tmp}, and
   * {@code .NAME<digits>.tmp} as versions before 0.2 named them. A crash can leave one behind; it was
   * never the file NAME, so readers ignore it and writers remove it (by this exact pattern) on open.
   */
  private static final Pattern TEMPORARY_NAME = Pattern.compile("\\..+?(?:\\.[0-9a-f]{16}|[0-9]{1,20})\\.tmp");

  /**
   * The SHA-256 a content-addressed file name gives — {@code sha256-<64 lowercase hex><suffix>}, as the
   * manifests ({@code .json}) and OpenSSF signatures ({@code .json}, {@code .pem}) are named — or empty for
   * any other name (a crash's temporary file, a stray file): only such a name is ever read back as a key.
   */
  public static Optional<Digest> digestOfName(String fileName, String suffix) {
    String prefix = "sha256-";
    if (!fileName.startsWith(prefix) || !fileName.endsWith(suffix)) {
      return Optional.empty();
    }
    String text = "sha256:" + fileName.substring(prefix.length(), fileName.length() - suffix.length());
    return Digest.isDigestText(text) ? Optional.of(Digest.parse(text)) : Optional.empty();
  }

  /** Whether a file name is one of custody's temporary files ({@link #temporaryName}). */
  public static boolean isTemporaryName(String fileName) {
    return TEMPORARY_NAME.matcher(fileName).matches();
  }

  /** The name of a temporary file for an atomic write of file {@code target}: {@code .TARGET.<16 hex>.tmp}. */
  public static String temporaryName(String target, long random) {
    return "." + target + "." + String.format("%016x", random) + ".tmp";
  }

  /**
   * Reads a checkpoint (or other small) file, refusing files over {@link #MAX_CHECKPOINT_FILE_BYTES}
   * and anything but a regular file ({@link SmallFiles#read}). For files inside a ledger use
   * {@link LedgerFiles#read}, which also refuses links.
   *
   * @throws FormatException naming the file if it is too large or not a regular file
   */
  public static byte[] readSmallFile(Path file) throws IOException, FormatException {
    return SmallFiles.read(file, MAX_CHECKPOINT_FILE_BYTES, "checkpoint, key or other small ledger file");
  }

  /**
   * The segment files in log order.
   *
   * @throws FormatException if a file in {@code segments/} is not a segment
   * @throws UnsafeFileException if {@code segments} or a segment is a link or special file ({@link LedgerFiles})
   */
  public static List<Path> segments(Path dir) throws IOException, FormatException {
    LedgerFiles files = LedgerFiles.of(dir);
    Path segDir = dir.resolve(SEGMENTS);
    List<Path> out = new ArrayList<>();
    for (Path p : files.list(segDir)) {
      String name = p.getFileName().toString();
      if (!isSegmentName(name)) {
        throw new FormatException(p + ": unexpected file in the segments directory (segment files are named"
            + " <20-digit first log index>.jsonl); move it out of the ledger");
      }
      if (!files.isFile(p)) {
        throw new java.nio.file.NoSuchFileException(p.toString(), null, "removed while the ledger was read");
      }
      out.add(p);
    }
    out.sort(null);
    return out;
  }
}
