package dev.custody.core.intoto;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.FormatException;

/**
 * The required fields of a SLSA Provenance v1 predicate ({@value #PREDICATE_TYPE}; SLSA v1.2
 * build-provenance.md, Build L1): {@code buildDefinition.buildType},
 * {@code buildDefinition.externalParameters} (a non-empty object) and {@code runDetails.builder.id};
 * {@code resolvedDependencies}, {@code builderDependencies} and {@code byproducts}, when present, are
 * arrays of valid {@link ResourceDescriptor}s. "Unset, null and empty MUST be treated alike." The
 * same checks as the Go reference validator (go/predicates/provenance/v1/provenance.go).
 * Thread-safe (stateless).
 */
public final class SlsaProvenance {
  /** The predicate type of SLSA Provenance v1.0 to v1.2. */
  public static final String PREDICATE_TYPE = "https://slsa.dev/provenance/v1";

  private SlsaProvenance() {}

  /**
   * Checks {@code predicate} against the rules above.
   *
   * @param what names it in errors
   */
  public static void validate(JsonNode predicate, String what) throws FormatException {
    JsonNode build = nonEmptyObject(predicate, "buildDefinition", what);
    String at = what + ".buildDefinition";
    if (ResourceDescriptor.optionalString(build, "buildType", at).isEmpty()) {
      throw new FormatException(at + ".buildType is required");
    }
    nonEmptyObject(build, "externalParameters", at);
    descriptors(build, "resolvedDependencies", at);
    JsonNode run = nonEmptyObject(predicate, "runDetails", what);
    at = what + ".runDetails";
    JsonNode builder = nonEmptyObject(run, "builder", at);
    if (ResourceDescriptor.optionalString(builder, "id", at + ".builder").isEmpty()) {
      throw new FormatException(at + ".builder.id is required");
    }
    descriptors(builder, "builderDependencies", at + ".builder");
    descriptors(run, "byproducts", at);
  }

  private static JsonNode nonEmptyObject(JsonNode parent, String field, String what) throws FormatException {
    JsonNode v = parent == null ? null : parent.get(field);
    if (v == null || !v.isObject() || v.isEmpty()) {
      throw new FormatException(what + "." + field + " is required (a non-empty object)");
    }
    return v;
  }

  private static void descriptors(JsonNode parent, String field, String what) throws FormatException {
    JsonNode v = parent.get(field);
    if (v == null || v.isNull()) {
      return;
    }
    if (!v.isArray()) {
      throw new FormatException(what + "." + field + " must be an array");
    }
    for (int i = 0; i < v.size(); i++) {
      ResourceDescriptor.fromJson(v.get(i), what + "." + field + "[" + i + "]");
    }
  }
}
