/**
 * Recording: the {@link dev.custody.attest.Ledger} (append-only, signed, hash-linked, a transparency
 * log), {@link dev.custody.attest.SigningKey} and the {@link dev.custody.attest.Signer} extension point.
 * The {@code internal} packages (the store, artifacts, timestamping, witnessing) are custody's own.
 */
module dev.custody.attest {
  requires transitive dev.custody.core;
  requires com.fasterxml.jackson.databind;
  requires java.management;
  requires java.net.http;
  requires jdk.management;
  requires com.nimbusds.jose.jwt;
  requires org.bouncycastle.lts.prov;
  requires org.bouncycastle.lts.pkix;
  requires org.bouncycastle.lts.util;

  exports dev.custody.attest;
  exports dev.custody.attest.interop;

  // Stores reached by URL (postgresql://…) are found with ServiceLoader, as JDBC drivers are.
  uses dev.custody.attest.internal.store.LogStoreProvider;
}
