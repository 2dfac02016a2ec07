package dev.custody.attest.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.attest.AttestException;
import dev.custody.attest.Signer;
import dev.custody.core.FormatException;
import dev.custody.core.entry.EntryPayload;
import dev.custody.core.entry.EntryRecord;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.Event;
import dev.custody.core.event.EventType;
import dev.custody.core.event.Invocation;
import dev.custody.core.intoto.ResourceDescriptor;
import dev.custody.core.intoto.SlsaProvenance;
import dev.custody.core.intoto.Statement;
import dev.custody.core.internal.json.StrictJson;
import dev.custody.core.sigstore.SigstoreBundle;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One custody entry as an in-toto Statement v1 in a DSSE envelope in a Sigstore bundle v0.3.
 *
 * <h2>The Statement</h2>
 * <ul>
 *   <li>{@code subject}: the event's outputs, each {@code {name, digest: {alg: hex}}}; an event
 *       without outputs has the entry itself as subject ({@code custody-entry:CHAIN:SEQ}, the entry
 *       hash);
 *   <li>training and fine-tune events and steps run by {@code custody run} (they carry an
 *       invocation): predicate type {@value SlsaProvenance#PREDICATE_TYPE}, SLSA Provenance v1 with
 *       {@code buildDefinition} (buildType {@code https://custody.dev/buildtypes/KIND/v1};
 *       externalParameters: kind, chain, parameters, and the command for a run; internalParameters:
 *       environment, working directory, exit code; resolvedDependencies: the inputs) and
 *       {@code runDetails} (builder id {@code https://custody.dev/signer/KEYID}, the entry's signer;
 *       metadata: invocationId = entry hash, startedOn/finishedOn; byproducts: the custody entry);
 *   <li>every other kind: predicate type {@code https://custody.dev/attestation/KIND/v1} whose
 *       predicate is {@code {entryHash, logIndex, entry}} — {@code entry} the entry's signed payload
 *       (chain, sequence, prev, keyId, time, event) as custody signed it.
 * </ul>
 * The DSSE signature is made now, with the exporter's key: it says "the exporter vouches for this
 * entry", alongside (not instead of) the entry's own JWS signature, which the ledger keeps.
 */
public final class InTotoExport {
  /** Prefix of custody's predicate types; the event kind and {@code /v1} follow. */
  public static final String PREDICATE_TYPE_PREFIX = "https://custody.dev/attestation/";
  /** Prefix of custody's SLSA build types; the event kind and {@code /v1} follow. */
  public static final String BUILD_TYPE_PREFIX = "https://custody.dev/buildtypes/";
  /** Prefix of the SLSA builder id; the signer's key id follows. */
  public static final String BUILDER_PREFIX = "https://custody.dev/signer/";

  private static final ObjectMapper MAPPER = new ObjectMapper(StrictJson.factory());

  private InTotoExport() {}

  /** The custody predicate type of events of {@code kind}. */
  public static String predicateType(EventType kind) {
    return PREDICATE_TYPE_PREFIX + kind.name() + "/v1";
  }

  /** Whether an entry of this event is exported as SLSA provenance. */
  static boolean isBuild(Event e) {
    return e.type().equals(EventType.TRAINING) || e.type().equals(EventType.FINE_TUNE) || e.invocation().isPresent();
  }

  /** The Statement for {@code record} at {@code logIndex}. */
  public static Statement statement(EntryRecord record, long logIndex) throws FormatException {
    EntryPayload p = record.payload("log index " + logIndex);
    Event e = p.event();
    String hash = record.hash().value().hex();
    List<ResourceDescriptor> subjects = new ArrayList<>();
    for (ArtifactRef a : e.outputs()) {
      subjects.add(ResourceDescriptor.subject(a.name(), a.digest().algorithm(), a.digest().value().hex()));
    }
    if (subjects.isEmpty()) {
      subjects.add(ResourceDescriptor.subject("custody-entry:" + p.chain() + ":" + p.sequence(), "sha256", hash));
    }
    if (isBuild(e)) {
      return new Statement(subjects, SlsaProvenance.PREDICATE_TYPE, provenance(p, e, hash));
    }
    ObjectNode predicate = MAPPER.createObjectNode();
    predicate.put("entryHash", record.hash().toString());
    predicate.put("logIndex", logIndex);
    predicate.set("entry", StrictJson.parse(record.envelope().payload().toByteArray(), EntryRecord.MAX_RECORD_BYTES,
        "entry payload"));
    return new Statement(subjects, predicateType(e.type()), predicate);
  }

  private static JsonNode provenance(EntryPayload p, Event e, String entryHash) {
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode build = root.putObject("buildDefinition");
    build.put("buildType", BUILD_TYPE_PREFIX + e.type().name() + "/v1");
    ObjectNode external = build.putObject("externalParameters");
    external.put("kind", e.type().name());
    external.put("chain", p.chain());
    if (!e.parameters().isEmpty()) {
      putMap(external.putObject("parameters"), e.parameters());
    }
    ObjectNode internal = MAPPER.createObjectNode();
    if (!e.environment().isEmpty()) {
      putMap(internal.putObject("environment"), e.environment());
    }
    if (e.invocation().isPresent()) {
      Invocation i = e.invocation().get();
      ArrayNode cmd = external.putArray("command");
      i.command().forEach(cmd::add);
      internal.put("workingDirectory", i.workingDirectory());
      internal.put("exitCode", i.exitCode());
    }
    if (!internal.isEmpty()) {
      build.set("internalParameters", internal);
    }
    if (!e.inputs().isEmpty()) {
      ArrayNode deps = build.putArray("resolvedDependencies");
      e.inputs().forEach(a -> deps.add(descriptor(a)));
    }
    ObjectNode run = root.putObject("runDetails");
    run.putObject("builder").put("id", BUILDER_PREFIX + p.keyId());
    ObjectNode meta = run.putObject("metadata");
    meta.put("invocationId", "sha256:" + entryHash);
    e.startedAt().ifPresent(t -> meta.put("startedOn", rfc3339(t)));
    e.finishedAt().ifPresent(t -> meta.put("finishedOn", rfc3339(t)));
    ObjectNode entry = run.putArray("byproducts").addObject();
    entry.put("name", "custody-entry:" + p.chain() + ":" + p.sequence());
    entry.putObject("digest").put("sha256", entryHash);
    return root;
  }

  private static ObjectNode descriptor(ArtifactRef a) {
    ObjectNode rd = MAPPER.createObjectNode();
    rd.put("name", a.name());
    rd.putObject("digest").put(a.digest().algorithm(), a.digest().value().hex());
    a.uri().ifPresent(u -> rd.put("uri", u));
    a.mediaType().ifPresent(m -> rd.put("mediaType", m));
    return rd;
  }

  private static void putMap(ObjectNode node, Map<String, String> map) {
    map.forEach(node::put);
  }

  /** RFC 3339 in UTC ("Z"), as in-toto requires; Instant.toString is exactly that. */
  private static String rfc3339(Instant t) {
    return t.toString();
  }

  /** The entry's Statement, DSSE-signed by {@code signer}, as a Sigstore bundle v0.3 (JSON bytes). */
  public static byte[] bundle(EntryRecord record, long logIndex, Signer signer) throws FormatException, AttestException {
    DsseSigner dsse = new DsseSigner(signer);
    return SigstoreBundle.writeDsse(dsse.sign(Statement.PAYLOAD_TYPE, statement(record, logIndex).toJson()),
        dsse.keyId());
  }
}
