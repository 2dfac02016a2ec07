package dev.custody.verify.policy;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An organisation of the policy: a name, and the X.509 CA certificates (RSA or EC) that certify its
 * certificate identities. An organisation with no roots has key-bound identities only.
 *
 * @param name {@code [a-z0-9][a-z0-9._-]*}, at most 64 characters
 * @param roots trust anchors for its certificate identities, in the order the policy lists them
 */
public record Organisation(String name, List<X509Certificate> roots) {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  public Organisation {
    requireName(name);
    roots = List.copyOf(roots);
  }

  /**
   * Checks an organisation name.
   *
   * @throws IllegalArgumentException saying what a name looks like
   */
  static String requireName(String name) {
    Objects.requireNonNull(name, "organisation name");
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("an organisation name is 1-64 characters of a-z 0-9 . _ -, starting with"
          + " a letter or digit (e.g. acme)");
    }
    return name;
  }
}
