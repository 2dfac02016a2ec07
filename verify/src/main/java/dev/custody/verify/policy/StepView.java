package dev.custody.verify.policy;

import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.event.Invocation;
import dev.custody.verify.RecordRef;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;

/**
 * What {@link PolicyEvaluator} needs to know of the evidence: the authentic steps and, for each,
 * its entry, event and signer, and its ancestry in the lineage graph. The lineage stage adapts its
 * graph to this interface; tests implement it over hand-built entries. Implementations answer from
 * memory (no I/O) and may be called many times per step.
 *
 * @param <S> the implementation's step type; compared by {@code equals}/{@code hashCode}
 */
public interface StepView<S> {
  /**
   * Every authentic step, in the order the evidence establishes: log order within one ledger. A
   * step that comes later in this list is "later" for {@link Rule.RequirePredecessor}; across
   * ledgers the implementation chooses an order consistent with the lineage (producers first).
   */
  List<S> steps();

  /** The step's entry; its chain, sequence and hash are present. */
  RecordRef ref(S step);

  /**
   * The label of the ledger (or bundle) the step comes from. A chain lives in one ledger's log: two
   * ledgers verified together may each hold a chain of the same id (two organisations both calling
   * their line {@code models/main}), and those are two chains — with their own owners, sequence
   * numbers and predecessors. Default: one ledger.
   */
  default String ledger(S step) {
    return "";
  }

  EventType kind(S step);

  /** The entry's claimed time. */
  Instant time(S step);

  List<ArtifactRef> inputs(S step);

  List<ArtifactRef> outputs(S step);

  SortedMap<String, String> parameters(S step);

  EventDetails details(S step);

  /** When the step's work started, if the entry says. */
  Optional<Instant> startedAt(S step);

  /** When the step's work finished, if the entry says. */
  Optional<Instant> finishedAt(S step);

  /** The command that did the work, its exit code and directory, if the entry records them ({@code custody run}). */
  Optional<Invocation> invocation(S step);

  /** The signer's key id. */
  String keyId(S step);

  /** The signer's identity name, when the policy binds the key to one. */
  Optional<String> identity(S step);

  /** The signer's organisation, when the policy binds the key to one. */
  Optional<String> organisation(S step);

  /**
   * Every step {@code step} transitively derives from through the lineage graph (the producers of
   * its inputs, theirs, and so on; for an approval or revocation, its subject too), not {@code step} itself.
   */
  Collection<S> ancestors(S step);

  /**
   * The steps {@code step} depends on directly through the lineage graph: the producers of its inputs
   * (of its outputs, for a release and other kinds that produce nothing), and for an approval or
   * revocation its subject.
   */
  Collection<S> predecessors(S step);
}
