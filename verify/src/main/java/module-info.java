/**
 * Verifying offline: {@link dev.custody.verify.LedgerVerifier} replays a ledger under a trust policy
 * into a {@link dev.custody.verify.VerificationReport}; the report renderers; the lineage graph. Depends
 * on {@code dev.custody.core} only. The {@code internal} packages (replay machinery, lineage
 * collection) are custody's own.
 *
 * <p>CEL (custom policy rules) is not required here: its jars split packages ({@code dev.cel.common} is
 * in five of them), so no module can require them. It stays on the class path and this module reads
 * it ({@code --add-reads dev.custody.verify=ALL-UNNAMED}, set in this module's compiler configuration;
 * an application that puts custody on the module path passes the same flag to {@code java}).
 */
// "requires-automatic": ELK (the lineage SVG layout) ships no module descriptor, only Automatic-Module-Name.
@SuppressWarnings("requires-automatic")
module dev.custody.verify {
  requires transitive dev.custody.core;
  requires com.fasterxml.jackson.databind;
  requires com.fasterxml.jackson.dataformat.yaml;
  requires transitive com.google.common; // LineageGraph.network() returns a Guava Network
  requires com.nimbusds.jose.jwt;
  requires java.naming;
  requires org.bouncycastle.lts.prov;
  requires org.bouncycastle.lts.pkix;
  requires org.bouncycastle.lts.util;
  requires org.eclipse.elk.alg.layered;
  requires org.eclipse.elk.core;
  requires org.eclipse.elk.graph;
  requires org.yaml.snakeyaml;

  exports dev.custody.verify;
  exports dev.custody.verify.lineage;
  exports dev.custody.verify.policy;
  exports dev.custody.verify.report;
}
