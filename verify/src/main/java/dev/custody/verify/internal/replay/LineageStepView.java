package dev.custody.verify.internal.replay;

import dev.custody.verify.*;

import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.event.Invocation;
import dev.custody.verify.lineage.LineageGraph;
import dev.custody.verify.lineage.Step;
import dev.custody.verify.policy.Signer;
import dev.custody.verify.policy.StepView;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * The lineage graph as the policy's rules see it ({@link StepView}): the steps in dependency order
 * (producers before the steps that use their products, log order within a ledger), each with the
 * signer the trust policy resolved its key to. Immutable; answers from memory.
 */
public final class LineageStepView implements StepView<Step> {
  private final LineageGraph graph;
  private final List<Step> steps;
  private final Map<String, Signer> signers;

  /** @param signers the resolved signer of every key id that signed a step */
  public LineageStepView(LineageGraph graph, Map<String, Signer> signers) {
    this.graph = graph;
    this.steps = graph.dependencyOrder();
    this.signers = signers;
  }

  @Override
  public List<Step> steps() {
    return steps;
  }

  @Override
  public RecordRef ref(Step step) {
    return step.ref();
  }

  @Override
  public String ledger(Step step) {
    return step.ledger();
  }

  @Override
  public EventType kind(Step step) {
    return step.kind();
  }

  @Override
  public Instant time(Step step) {
    return step.time();
  }

  @Override
  public List<ArtifactRef> inputs(Step step) {
    return step.event().inputs();
  }

  @Override
  public List<ArtifactRef> outputs(Step step) {
    return step.event().outputs();
  }

  @Override
  public SortedMap<String, String> parameters(Step step) {
    return step.event().parameters();
  }

  @Override
  public EventDetails details(Step step) {
    return step.event().details();
  }

  @Override
  public Optional<Instant> startedAt(Step step) {
    return step.event().startedAt();
  }

  @Override
  public Optional<Instant> finishedAt(Step step) {
    return step.event().finishedAt();
  }

  @Override
  public Optional<Invocation> invocation(Step step) {
    return step.event().invocation();
  }

  @Override
  public String keyId(Step step) {
    return step.keyId();
  }

  @Override
  public Optional<String> identity(Step step) {
    return Optional.ofNullable(signers.get(step.keyId())).flatMap(Signer::identityName);
  }

  @Override
  public Optional<String> organisation(Step step) {
    return Optional.ofNullable(signers.get(step.keyId())).flatMap(Signer::organisation);
  }

  @Override
  public Collection<Step> ancestors(Step step) {
    return graph.ancestors(step);
  }

  @Override
  public Collection<Step> predecessors(Step step) {
    return graph.network().predecessors(step);
  }
}
