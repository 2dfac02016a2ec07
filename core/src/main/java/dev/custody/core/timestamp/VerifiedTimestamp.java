package dev.custody.core.timestamp;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Objects;

/**
 * An RFC 3161 timestamp that verified: the TSA, trusted through {@code tsaCertificate}'s chain,
 * states that the timestamped data existed at {@code genTime}.
 *
 * @param genTime the time the TSA asserts (TSTInfo genTime)
 * @param tsaCertificate the TSA's signing certificate, chained to a trusted root
 * @param serialNumber the token's serial number (unique per TSA)
 * @param policy the TSA policy OID under which the token was issued
 */
public record VerifiedTimestamp(Instant genTime, X509Certificate tsaCertificate, BigInteger serialNumber, String policy) {
  public VerifiedTimestamp {
    Objects.requireNonNull(genTime, "genTime");
    Objects.requireNonNull(tsaCertificate, "tsaCertificate");
    Objects.requireNonNull(serialNumber, "serialNumber");
    Objects.requireNonNull(policy, "policy");
  }
}
