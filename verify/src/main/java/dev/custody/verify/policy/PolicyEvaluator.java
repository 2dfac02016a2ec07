package dev.custody.verify.policy;

import dev.custody.core.Digest;
import dev.custody.core.event.ArtifactKind;
import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.EventDetails;
import dev.custody.core.event.EventType;
import dev.custody.core.internal.text.Untrusted;
import dev.custody.verify.RecordRef;
import dev.custody.verify.Finding;
import dev.custody.verify.FindingCode;
import dev.custody.verify.Severity;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/**
 * Evaluates a policy's {@link Rule}s and custody transfers over the steps of the evidence. Every
 * rule violation is a {@code RULE_VIOLATION} finding on the offending step whose message starts with
 * {@code rule 'ID':}. Immutable and thread-safe; {@link #evaluate} is linear in the number of steps
 * plus the ancestors it asks for (separation of duties), after one pass that indexes the steps; the
 * rules can run in parallel ({@link #evaluate(StepView, Executor)}).
 *
 * <p><b>Custody transfers</b> (not under {@link TrustPolicy#trustAll}, where keys have no
 * organisation): a chain's owner is the organisation of the signer of its first step. A
 * {@code custody-transfer} signed by the owner, {@code from} the owner, {@code to} an organisation of
 * the policy, moves it: from the next step on, only identities of {@code to} may append
 * ({@code CHAIN_NOT_OWNER} otherwise), and the next step must be {@code to}'s {@code approval} of the
 * transfer entry ({@code TRANSFER_NOT_ACCEPTED} otherwise, unless {@code transfers.requireAcceptance}
 * is false). A transfer {@code from} another organisation than the owner, or {@code to} one the
 * policy does not declare, is {@code TRANSFER_INVALID} and moves nothing. A transfer that is the
 * chain's last step awaits acceptance: a warning.
 */
public final class PolicyEvaluator {
  private final TrustPolicy policy;

  public PolicyEvaluator(TrustPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
  }

  /** Every violation of the policy's rules and transfer rules in {@code view}, steps in view order. */
  public <S> List<PolicyFinding> evaluate(StepView<S> view) {
    return evaluate(view, Runnable::run);
  }

  /**
   * As {@link #evaluate(StepView)}, each rule (and the transfer rules) a task on {@code executor}: the
   * rules are independent and read the steps only, so they can run on several threads. The findings
   * and their order are those of {@link #evaluate(StepView)}: rule by rule in policy order, then the
   * transfers. {@code view} must answer from several threads at once (an in-memory graph does).
   *
   * @throws RuntimeException the first rule's failure, unwrapped, as {@link #evaluate(StepView)} would
   */
  public <S> List<PolicyFinding> evaluate(StepView<S> view, Executor executor) {
    Objects.requireNonNull(view, "view");
    Objects.requireNonNull(executor, "executor");
    Index<S> ix = new Index<>(view);
    List<CompletableFuture<List<PolicyFinding>>> parts = new ArrayList<>();
    for (Rule rule : policy.rules()) {
      parts.add(CompletableFuture.supplyAsync(() -> {
        List<PolicyFinding> out = new ArrayList<>();
        new RuleRun<>(rule, ix, out).run();
        return out;
      }, executor));
    }
    if (!policy.isTrustAll()) {
      parts.add(CompletableFuture.supplyAsync(() -> {
        List<PolicyFinding> out = new ArrayList<>();
        transfers(ix, out);
        return out;
      }, executor));
    }
    List<PolicyFinding> out = new ArrayList<>();
    for (CompletableFuture<List<PolicyFinding>> part : parts) {
      try {
        out.addAll(part.join());
      } catch (CompletionException e) {
        if (e.getCause() instanceof RuntimeException r) {
          throw r;
        }
        if (e.getCause() instanceof Error err) {
          throw err;
        }
        throw e;
      }
    }
    return out;
  }

  /** One pass over the steps: positions, entries by hash, evaluations by model, approvals by subject. */
  private static final class Index<S> {
    final StepView<S> view;
    final List<S> steps;
    /**
     * Positions by identity: a record step's {@code hashCode} walks its whole event on every call,
     * and an in-memory graph hands out the same step objects. {@link #pos} falls back to equality.
     */
    private final Map<S, Integer> position = new java.util.IdentityHashMap<>();
    private @Nullable Map<S, Integer> byEquality;
    final Map<Digest, S> byHash = new HashMap<>();
    final Map<Digest, List<S>> mentioning = new HashMap<>();
    final Map<Digest, List<S>> evaluationsOf = new HashMap<>();
    final Map<Digest, List<S>> decisionsAbout = new HashMap<>();
    /** Position of the first step of each kind on each chain, keyed "chain key kind". */
    final Map<String, Integer> firstOnChain = new HashMap<>();
    /**
     * Per position: which chain (its ledger and id, see {@link StepView#ledger}: chains of the same id
     * in two ledgers are two chains) and the sequence, asked of the view once.
     */
    final String[] chainKeys;
    final long[] sequences;

    Index(StepView<S> view) {
      this.view = view;
      this.steps = List.copyOf(view.steps());
      this.chainKeys = new String[steps.size()];
      this.sequences = new long[steps.size()];
      for (int i = 0; i < steps.size(); i++) {
        S s = steps.get(i);
        RecordRef ref = view.ref(s);
        chainKeys[i] = view.ledger(s) + "\n" + ref.chain().orElse("?");
        sequences[i] = ref.sequence().orElse(0);
        position.put(s, i);
        firstOnChain.putIfAbsent(chainKeys[i] + " " + view.kind(s).name(), i);
        ref.hash().ifPresent(h -> byHash.put(h, s));
        for (ArtifactRef a : view.inputs(s)) {
          mentioning.computeIfAbsent(a.digest(), d -> new ArrayList<>()).add(s);
          if (view.kind(s).equals(EventType.EVALUATION)) {
            evaluationsOf.computeIfAbsent(a.digest(), d -> new ArrayList<>()).add(s);
          }
        }
        for (ArtifactRef a : view.outputs(s)) {
          mentioning.computeIfAbsent(a.digest(), d -> new ArrayList<>()).add(s);
        }
        if (view.details(s) instanceof EventDetails.Decision d) {
          decisionsAbout.computeIfAbsent(d.subject(), x -> new ArrayList<>()).add(s);
        }
      }
    }

    /** The step's position in {@link #steps}, or null if the view never listed it. Rules call it from several threads. */
    @Nullable Integer posIfListed(S s) {
      Integer p = position.get(s);
      return p != null ? p : byEquality().get(s);
    }

    /** The position of one of {@link #steps} (the index's maps hold those only). */
    int pos(S s) {
      return Objects.requireNonNull(posIfListed(s), "a step the view did not list");
    }

    private synchronized Map<S, Integer> byEquality() {
      if (byEquality == null) {
        byEquality = new HashMap<>(position);
      }
      return byEquality;
    }

    /** Which chain the step is on: ledger and chain id. */
    String chainKey(S s) {
      return chainKeys[pos(s)];
    }

    /** {@code acme/falcon:3} of a step, escaped for messages. */
    String name(S s) {
      return Untrusted.quote(view.ref(s).chainPosition().orElse("log index " + view.ref(s).logIndex()));
    }

    /** Who signed, for messages. */
    String signer(S s) {
      return view.identity(s).map(Untrusted::quote).orElse("key " + view.keyId(s));
    }

    /**
     * The model digests of a step: a release's model outputs; for other kinds its model outputs if
     * it has any, else its model inputs.
     */
    Set<Digest> models(S s) {
      Set<Digest> outs = digests(view.outputs(s));
      if (view.kind(s).equals(EventType.RELEASE) || !outs.isEmpty()) {
        return outs;
      }
      return digests(view.inputs(s));
    }

    private static Set<Digest> digests(List<ArtifactRef> refs) {
      Set<Digest> out = new LinkedHashSet<>();
      for (ArtifactRef a : refs) {
        if (a.kind() == ArtifactKind.MODEL) {
          out.add(a.digest());
        }
      }
      return out;
    }
  }

  /** Applies one rule to every step it concerns. */
  private static final class RuleRun<S> {
    final Rule rule;
    final Index<S> ix;
    final StepView<S> v;
    final List<PolicyFinding> out;

    RuleRun(Rule rule, Index<S> ix, List<PolicyFinding> out) {
      this.rule = rule;
      this.ix = ix;
      this.v = ix.view;
      this.out = out;
    }

    void violation(S step, String message) {
      out.add(new PolicyFinding(Optional.of(rule.id()), Finding.of(FindingCode.RULE_VIOLATION, v.ref(step),
          "rule '" + rule.id() + "': " + ix.name(step) + " " + message + " (" + rule.source() + ")")));
    }

    void run() {
      if (rule instanceof Rule.RequirePredecessor r) {
        forKind(r.kind(), s -> predecessor(r, s));
      } else if (rule instanceof Rule.SeparationOfDuties r) {
        forKind(r.kinds(), s -> separation(r, s));
      } else if (rule instanceof Rule.Approvals r) {
        forKind(r.kind(), s -> approvals(r, s));
      } else if (rule instanceof Rule.MetricThreshold r) {
        forKind(r.kind(), s -> metric(r, s));
      } else if (rule instanceof Rule.RequireParameter r) {
        forKind(r.kind(), s -> parameter(r, s));
      } else if (rule instanceof Rule.Cel r) {
        forKind(r.kind(), s -> r.condition().check(CelEvent.of(v, s)).ifPresent(problem -> violation(s,
            "does not satisfy " + Untrusted.quote(r.condition().expression()) + ": " + problem)));
      } else {
        throw new IllegalStateException("unknown rule shape " + rule.getClass());
      }
    }

    void forKind(KindSet kinds, java.util.function.Consumer<S> check) {
      for (S s : ix.steps) {
        if (kinds.contains(v.kind(s))) {
          check.accept(s);
        }
      }
    }

    void predecessor(Rule.RequirePredecessor r, S s) {
      int at = ix.pos(s);
      String pred = Untrusted.quote(r.predecessor().name());
      if (!r.sameModel()) {
        Integer first = ix.firstOnChain.get(ix.chainKey(s) + " " + r.predecessor().name());
        if (first != null && first < at) {
          return;
        }
        for (S p : v.ancestors(s)) {
          Integer pos = ix.posIfListed(p);
          if (pos != null && pos < at && v.kind(p).equals(r.predecessor())) {
            return;
          }
        }
        violation(s, "has no earlier " + pred + " step on its chain or in its lineage");
        return;
      }
      Set<Digest> models = ix.models(s);
      if (models.isEmpty()) {
        violation(s, "names no model artifact, so no " + pred + " of the same model can precede it");
        return;
      }
      for (Digest m : models) {
        boolean found = ix.mentioning.getOrDefault(m, List.of()).stream()
            .anyMatch(p -> v.kind(p).equals(r.predecessor()) && ix.pos(p) < at);
        if (!found) {
          violation(s, "of model " + m + " has no earlier " + pred + " step of that exact model (digest)");
        }
      }
    }

    /**
     * The steps of the {@code distinctFrom} kinds nearest to {@code x} in its lineage (and, for an
     * approval, its subject's): walking back through the producers, each path stops at the first such
     * step. The trainer of a model is whoever trained or fine-tuned it — through conversions and
     * merges — not whoever trained the base model a fine-tune started from, so the walk does not pass
     * a training; and it costs what the model's own making costs, not its whole ancestry across chains.
     */
    Set<S> nearest(Rule.SeparationOfDuties r, S x) {
      Set<S> found = new LinkedHashSet<>();
      Set<S> seen = new java.util.HashSet<>();
      java.util.Deque<S> todo = new java.util.ArrayDeque<>(v.predecessors(x));
      if (v.details(x) instanceof EventDetails.Decision d) {
        S subject = ix.byHash.get(d.subject());
        if (subject != null) {
          todo.add(subject);
        }
      }
      while (!todo.isEmpty()) {
        S y = todo.pop();
        if (y.equals(x) || !seen.add(y)) {
          continue;
        }
        if (r.distinctFrom().contains(v.kind(y))) {
          found.add(y);
        } else {
          todo.addAll(v.predecessors(y));
        }
      }
      return found;
    }

    void separation(Rule.SeparationOfDuties r, S x) {
      List<String> conflicts = new ArrayList<>();
      for (S y : nearest(r, x)) {
        if (sameParty(r.by(), x, y)) {
          conflicts.add(Untrusted.quote(v.kind(y).name()) + " " + ix.name(y));
        }
      }
      if (!conflicts.isEmpty()) {
        violation(x, "is signed by " + ix.signer(x) + ", " + partyWord(r.by()) + " that also signed "
            + String.join(", ", conflicts.subList(0, Math.min(5, conflicts.size())))
            + (conflicts.size() > 5 ? " and " + (conflicts.size() - 5) + " more" : "")
            + "; a different party must sign it");
      }
    }

    boolean sameParty(Rule.Party by, S a, S b) {
      Optional<String> pa = by == Rule.Party.IDENTITY ? v.identity(a)
          : by == Rule.Party.ORGANISATION ? v.organisation(a) : Optional.empty();
      Optional<String> pb = by == Rule.Party.IDENTITY ? v.identity(b)
          : by == Rule.Party.ORGANISATION ? v.organisation(b) : Optional.empty();
      if (pa.isPresent() && pb.isPresent()) {
        return pa.get().equals(pb.get());
      }
      return v.keyId(a).equals(v.keyId(b)); // no identities (--trust): the key is the party
    }

    static String partyWord(Rule.Party by) {
      return switch (by) {
        case IDENTITY -> "the identity";
        case ORGANISATION -> "the organisation";
        case KEY -> "the key";
      };
    }

    void approvals(Rule.Approvals r, S s) {
      Optional<Digest> hash = v.ref(s).hash();
      List<S> decisions = hash.map(h -> ix.decisionsAbout.getOrDefault(h, List.of())).orElse(List.of());
      Set<String> approvers = new LinkedHashSet<>();
      List<String> ignored = new ArrayList<>();
      for (S a : decisions) {
        if (!v.kind(a).equals(EventType.APPROVAL)) {
          continue;
        }
        EventDetails.Decision d = (EventDetails.Decision) v.details(a);
        Optional<String> who = v.identity(a);
        boolean eligible = who.isPresent() && r.identities().stream().anyMatch(p -> p.matches(who.get()));
        boolean self = who.isPresent() ? who.equals(v.identity(s)) : v.keyId(a).equals(v.keyId(s));
        if (!eligible || self) {
          ignored.add(ix.signer(a) + (self ? " (the step's own signer)" : " (not among " + r.identities() + ")"));
          continue;
        }
        if (d.decision().equals("rejected")) {
          violation(s, "was rejected by " + ix.signer(a) + " in " + ix.name(a)
              + d.reason().map(x -> " (" + Untrusted.quote(x) + ")").orElse(""));
          return;
        }
        approvers.add(who.get());
      }
      if (approvers.size() < r.count()) {
        violation(s, "has " + approvers.size() + " of the " + r.count() + " approvals required from "
            + r.identities() + (approvers.isEmpty() ? "" : " (approved by " + approvers.stream().map(Untrusted::quote)
                .toList() + ")") + (ignored.isEmpty() ? "" : "; not counted: " + String.join(", ", ignored)));
      }
    }

    void metric(Rule.MetricThreshold r, S s) {
      Set<Digest> models = ix.models(s);
      if (models.isEmpty()) {
        violation(s, "names no model artifact, so metric " + Untrusted.quote(r.name()) + " cannot be checked");
        return;
      }
      for (Digest m : models) {
        boolean carried = false;
        for (S e : ix.evaluationsOf.getOrDefault(m, List.of())) {
          if (!(v.details(e) instanceof EventDetails.Evaluation ev)) {
            continue;
          }
          BigDecimal value = ev.metrics().get(r.name());
          if (value == null) {
            continue;
          }
          carried = true;
          if (r.min().isPresent() && value.compareTo(r.min().get()) < 0) {
            violation(s, "releases model " + m + " whose evaluation " + ix.name(e) + " reports " + r.name() + " = "
                + value.toPlainString() + ", below the minimum " + r.min().get().toPlainString());
          }
          if (r.max().isPresent() && value.compareTo(r.max().get()) > 0) {
            violation(s, "releases model " + m + " whose evaluation " + ix.name(e) + " reports " + r.name() + " = "
                + value.toPlainString() + ", above the maximum " + r.max().get().toPlainString());
          }
        }
        if (!carried) {
          violation(s, "names model " + m + " but no evaluation of that model reports metric "
              + Untrusted.quote(r.name()));
        }
      }
    }

    void parameter(Rule.RequireParameter r, S s) {
      String value = v.parameters(s).get(r.parameter());
      if (value == null || value.isBlank()) {
        violation(s, "lacks parameter " + Untrusted.quote(r.parameter()));
      } else if (!r.values().isEmpty() && !r.values().contains(value)) {
        violation(s, "has " + r.parameter() + " = " + Untrusted.quote(value) + ", not one of " + r.values());
      }
    }
  }

  // ---- custody transfers

  private <S> void transfers(Index<S> ix, List<PolicyFinding> out) {
    StepView<S> v = ix.view;
    Map<String, List<S>> byChain = new LinkedHashMap<>();
    for (int i = 0; i < ix.steps.size(); i++) {
      byChain.computeIfAbsent(ix.chainKeys[i], c -> new ArrayList<>()).add(ix.steps.get(i));
    }
    for (List<S> chain : byChain.values()) {
      chain.sort(Comparator.comparingLong(s -> ix.sequences[ix.pos(s)]));
      Optional<String> owner = v.organisation(chain.get(0));
      Pending<S> pending = null;
      for (int i = 0; i < chain.size(); i++) {
        S s = chain.get(i);
        Optional<String> org = v.organisation(s);
        if (pending != null) {
          if (policy.requireTransferAcceptance() && !accepts(v, s, pending.transfer(), pending.to())) {
            out.add(custody(FindingCode.TRANSFER_NOT_ACCEPTED, v.ref(pending.transfer()), "the custody transfer "
                + ix.name(pending.transfer()) + " to " + Untrusted.quote(pending.to()) + " is not accepted: the next"
                + " entry " + ix.name(s) + " is not an approval of it by " + Untrusted.quote(pending.to())
                + " (signed by " + ix.signer(s) + "); the receiver must approve the transfer before anything else is"
                + " appended"));
          }
          pending = null;
        }
        if (owner.isPresent() && org.isPresent() && !org.equals(owner)) {
          out.add(custody(FindingCode.CHAIN_NOT_OWNER, v.ref(s), ix.name(s) + " is signed by " + ix.signer(s)
              + " of organisation " + Untrusted.quote(org.get()) + ", but the chain belongs to "
              + Untrusted.quote(owner.get()) + "; only a custody transfer by the owner hands a chain over"));
          continue;
        }
        if (v.details(s) instanceof EventDetails.Transfer t && owner.isPresent()) {
          if (!t.from().equals(owner.get())) {
            out.add(custody(FindingCode.TRANSFER_INVALID, v.ref(s), "the custody transfer " + ix.name(s)
                + " is from " + Untrusted.quote(t.from()) + ", but the chain belongs to " + Untrusted.quote(owner.get())
                + "; it moves nothing"));
          } else if (!policy.organisations().containsKey(t.to())) {
            out.add(custody(FindingCode.TRANSFER_INVALID, v.ref(s), "the custody transfer " + ix.name(s) + " is to "
                + Untrusted.quote(t.to()) + ", which is no organisation of the policy; it moves nothing"));
          } else {
            owner = Optional.of(t.to());
            pending = new Pending<>(s, t.to());
          }
        }
      }
      if (pending != null && policy.requireTransferAcceptance()) {
        out.add(new PolicyFinding(Optional.empty(), new Finding(FindingCode.TRANSFER_NOT_ACCEPTED, Severity.WARNING,
            Optional.of(v.ref(pending.transfer())), "the custody transfer " + ix.name(pending.transfer()) + " to "
                + Untrusted.quote(pending.to()) + " awaits the receiver's approval (nothing was appended since)")));
      }
    }
  }

  /** A custody transfer awaiting the receiver's approval: the transfer step and the organisation it is to. */
  private record Pending<S>(S transfer, String to) {}

  private static <S> boolean accepts(StepView<S> v, S s, S transfer, String to) {
    return v.kind(s).equals(EventType.APPROVAL)
        && v.details(s) instanceof EventDetails.Decision d && d.decision().equals("approved")
        && v.ref(transfer).hash().filter(d.subject()::equals).isPresent()
        && v.organisation(s).filter(to::equals).isPresent();
  }

  private static PolicyFinding custody(FindingCode code, RecordRef ref, String message) {
    return new PolicyFinding(Optional.empty(), Finding.of(code, ref, message));
  }
}
