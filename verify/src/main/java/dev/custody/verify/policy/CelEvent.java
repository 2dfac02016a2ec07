package dev.custody.verify.policy;

import dev.custody.core.event.ArtifactRef;
import dev.custody.core.event.EventDetails;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code event} variable a {@link CelCondition} sees, built from a step (see there for the keys). */
final class CelEvent {
  private CelEvent() {}

  static <S> Map<String, Object> of(StepView<S> v, S s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("kind", v.kind(s).name());
    v.ref(s).chain().ifPresent(c -> m.put("chain", c));
    v.ref(s).sequence().ifPresent(q -> m.put("sequence", q));
    m.put("time", v.time(s).toString());
    m.put("keyId", v.keyId(s));
    v.identity(s).ifPresent(i -> m.put("identity", i));
    v.organisation(s).ifPresent(o -> m.put("organisation", o));
    m.put("inputs", artifacts(v.inputs(s)));
    m.put("outputs", artifacts(v.outputs(s)));
    m.put("parameters", Map.copyOf(v.parameters(s)));
    v.startedAt(s).ifPresent(t -> m.put("startedAt", t.toString()));
    v.finishedAt(s).ifPresent(t -> m.put("finishedAt", t.toString()));
    v.invocation(s).ifPresent(i -> m.put("invocation", Map.of("command", i.command(), "exitCode", (long) i.exitCode(),
        "workingDirectory", i.workingDirectory())));
    EventDetails d = v.details(s);
    if (d instanceof EventDetails.Evaluation e) {
      Map<String, Object> metrics = new LinkedHashMap<>();
      for (Map.Entry<String, BigDecimal> x : e.metrics().entrySet()) {
        metrics.put(x.getKey(), x.getValue().doubleValue());
      }
      m.put("metrics", metrics);
    } else if (d instanceof EventDetails.Release r) {
      m.put("version", r.version());
    } else if (d instanceof EventDetails.Method x) {
      x.method().ifPresent(method -> m.put("method", method));
    } else if (d instanceof EventDetails.Transfer t) {
      m.put("from", t.from());
      m.put("to", t.to());
    } else if (d instanceof EventDetails.Decision x) {
      m.put("subject", x.subject().toString());
      m.put("decision", x.decision());
      x.reason().ifPresent(r -> m.put("reason", r));
    } else if (d instanceof EventDetails.Annotation a) {
      m.put("text", a.text());
    }
    return m;
  }

  private static List<Object> artifacts(List<ArtifactRef> refs) {
    List<Object> out = new ArrayList<>();
    for (ArtifactRef a : refs) {
      Map<String, Object> x = new LinkedHashMap<>();
      x.put("name", a.name());
      x.put("kind", a.kind().jsonName());
      x.put("digest", a.digest().toString());
      a.uri().ifPresent(u -> x.put("uri", u));
      a.mediaType().ifPresent(t -> x.put("mediaType", t));
      out.add(x);
    }
    return out;
  }
}
