package dev.custody.core.manifest;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.custody.core.Digest;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import org.bouncycastle.crypto.CryptoServicesRegistrar;
import org.bouncycastle.crypto.NativeServices;
import org.bouncycastle.crypto.digests.SHA256Digest;

/**
 * The SHA-256 implementations a {@link ModelHasher} can use. Both produce the same digests (FIPS
 * 180-4); they differ in speed only. {@link #AUTO} is the default.
 */
public enum Sha256Engine {
  /**
   * The JDK's SHA-256 when HotSpot compiles it to CPU SHA instructions ({@code -XX:+UseSHA}, on by
   * default where the CPU has them), else Bouncy Castle's native SHA-256 when the LTS build's native
   * library is loaded, else the JDK's. Measured on the project's machine (AMD EPYC with SHA-NI,
   * JDK 17, 2 cores, {@code dev.custody.bench.Sha256Speed}): JDK intrinsic and BC native both run at
   * openssl's speed within noise, the JDK slightly ahead on file reads; without the intrinsic the JDK
   * runs at about half that speed, where BC native keeps it.
   */
  AUTO,
  /** {@link MessageDigest} "SHA-256" of the JDK. */
  JDK,
  /** Bouncy Castle's {@code SHA256Digest.newInstance()}: native code if available, else pure Java. */
  BOUNCY_CASTLE;

  /** Whether Bouncy Castle reports a native SHA-256 on this machine. */
  public static boolean bouncyCastleNativeAvailable() {
    try {
      NativeServices ns = CryptoServicesRegistrar.getNativeServices();
      return ns.isInstalled() && ns.hasService(NativeServices.SHA2);
    } catch (RuntimeException | LinkageError e) {
      return false; // no native support in this build or platform: the JDK path is the answer
    }
  }

  /** Whether HotSpot uses CPU SHA instructions for the JDK's SHA-256 ({@code -XX:+UseSHA}). */
  public static boolean jdkIntrinsicAvailable() {
    try {
      HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
      return hotspot != null && Boolean.parseBoolean(hotspot.getVMOption("UseSHA").getValue());
    } catch (RuntimeException | LinkageError e) {
      return false; // not HotSpot, or no jdk.management: assume no intrinsic
    }
  }

  /** The engine {@link #AUTO} resolves to (others resolve to themselves). */
  public Sha256Engine resolve() {
    if (this != AUTO) {
      return this;
    }
    if (jdkIntrinsicAvailable()) {
      return JDK;
    }
    return bouncyCastleNativeAvailable() ? BOUNCY_CASTLE : JDK;
  }

  /** A new incremental hasher; not thread-safe (one per worker). */
  public Hasher newHasher() {
    return switch (resolve()) {
      case JDK -> new JdkHasher();
      case BOUNCY_CASTLE -> new BcHasher();
      case AUTO -> throw new AssertionError("resolved above");
    };
  }

  /** An incremental SHA-256: update, then {@link #finish()}, which also resets it. */
  public interface Hasher {
    void update(byte[] data, int offset, int length);

    /**
     * Updates with the bytes from {@code data}'s position to its limit and moves its position to its
     * limit. The default copies them through a small array; the JDK's hasher hands a direct or
     * mapped buffer to {@link MessageDigest#update(ByteBuffer)}.
     */
    default void update(ByteBuffer data) {
      byte[] chunk = new byte[Math.min(data.remaining(), 8192)];
      while (data.hasRemaining()) {
        int n = Math.min(chunk.length, data.remaining());
        data.get(chunk, 0, n);
        update(chunk, 0, n);
      }
    }

    /** The 32-byte digest of everything updated since the last finish; resets the hasher. */
    byte[] finish();
  }

  private static final class JdkHasher implements Hasher {
    private final MessageDigest md;

    JdkHasher() {
      md = Digest.newSha256();
    }

    @Override
    public void update(byte[] data, int offset, int length) {
      md.update(data, offset, length);
    }

    @Override
    public void update(ByteBuffer data) {
      md.update(data);
    }

    @Override
    public byte[] finish() {
      return md.digest();
    }
  }

  private static final class BcHasher implements Hasher {
    private final org.bouncycastle.crypto.Digest d = SHA256Digest.newInstance();

    @Override
    public void update(byte[] data, int offset, int length) {
      d.update(data, offset, length);
    }

    @Override
    public byte[] finish() {
      byte[] out = new byte[d.getDigestSize()];
      d.doFinal(out, 0);
      return out;
    }
  }
}
