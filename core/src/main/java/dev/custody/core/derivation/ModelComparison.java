package dev.custody.core.derivation;

import dev.custody.core.Digest;
import dev.custody.core.safetensors.Dtype;
import dev.custody.core.safetensors.SafetensorsException;
import dev.custody.core.safetensors.SafetensorsFile;
import dev.custody.core.safetensors.SafetensorsModel;
import dev.custody.core.safetensors.SafetensorsModel.ModelTensor;
import dev.custody.core.internal.text.CodePointOrder;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SortedMap;
import org.jspecify.annotations.Nullable;

/**
 * Derivation evidence between two models A and B: how their layouts relate and which tensors are
 * byte-identical, changed, re-typed, re-shaped or unmatched. It states evidence, never a verdict
 * ("B is a fine-tune of A" is for a person to conclude). Immutable.
 *
 * <h2>How tensors are matched</h2>
 * <ol>
 *   <li>By name. A name in both models is {@link #identical} (same dtype, shape and SHA-256),
 *       {@link #changed} (same dtype and shape, different bytes), {@link #dtypeChanged} (same shape,
 *       different dtype: re-quantisation evidence) or {@link #shapeChanged}.</li>
 *   <li>By content, among the names left over: tensors of A and B with the same dtype, shape and
 *       digest are {@link #identical} under different names (a renamed copy). When several tensors
 *       share a digest (e.g. LayerNorm weights initialised to ones), they pair up in name order: the
 *       count is evidence, the individual pairing is not.</li>
 *   <li>What is left is {@link #onlyInA} / {@link #onlyInB}.</li>
 * </ol>
 * Changed and re-typed tensors carry a {@link Similarity} on a bounded sample. The
 * {@link #architecture} relation comes from the {@link dev.custody.core.safetensors.Fingerprints}:
 * {@code IDENTICAL} (same architecture fingerprint), {@code RENAMED} (same name-blind structure,
 * different names), {@code DIFFERENT}.
 */
public final class ModelComparison {
  /** How the two layouts relate. */
  public enum Architecture {
    IDENTICAL, RENAMED, DIFFERENT;

    /** Lowercase, as in JSON output. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The relation named by its {@link #label()}, exactly.
     *
     * @throws IllegalArgumentException naming the accepted labels
     */
    public static Architecture fromLabel(String label) {
      for (Architecture a : values()) {
        if (a.label().equals(label)) {
          return a;
        }
      }
      throw new IllegalArgumentException("architecture must be identical, renamed or different, got "
          + dev.custody.core.internal.text.Untrusted.quote(label));
    }
  }

  /** A byte-identical tensor; {@code nameA != nameB} when matched by content across names. */
  public record Identical(String nameA, String nameB, Dtype dtype, List<Long> shape, Digest digest) {
    public Identical {
      shape = List.copyOf(shape);
    }

    public boolean renamed() {
      return !nameA.equals(nameB);
    }
  }

  /** Same name, dtype and shape; different bytes. */
  public record Changed(String name, Dtype dtype, List<Long> shape, Digest digestA, Digest digestB,
      Similarity similarity) {
    public Changed {
      shape = List.copyOf(shape);
    }
  }

  /** Same name and shape, different dtype (e.g. F32 in A, BF16 in B). */
  public record DtypeChanged(String name, List<Long> shape, Dtype dtypeA, Dtype dtypeB, Similarity similarity) {
    public DtypeChanged {
      shape = List.copyOf(shape);
    }
  }

  /** Same name, different shape. */
  public record ShapeChanged(String name, Dtype dtypeA, List<Long> shapeA, Dtype dtypeB, List<Long> shapeB) {
    public ShapeChanged {
      shapeA = List.copyOf(shapeA);
      shapeB = List.copyOf(shapeB);
    }
  }

  /** A tensor of one model with no counterpart in the other. */
  public record Unmatched(String name, Dtype dtype, List<Long> shape, Digest digest) {
    public Unmatched {
      shape = List.copyOf(shape);
    }
  }

  private final Architecture architecture;
  private final Digest architectureA;
  private final Digest architectureB;
  private final Digest structureA;
  private final Digest structureB;
  private final int tensorsA;
  private final int tensorsB;
  private final long elementsA;
  private final long elementsB;
  private final List<Identical> identical;
  private final List<Changed> changed;
  private final List<DtypeChanged> dtypeChanged;
  private final List<ShapeChanged> shapeChanged;
  private final List<Unmatched> onlyInA;
  private final List<Unmatched> onlyInB;

  private ModelComparison(SafetensorsModel a, SafetensorsModel b, List<Identical> identical, List<Changed> changed,
      List<DtypeChanged> dtypeChanged, List<ShapeChanged> shapeChanged, List<Unmatched> onlyInA,
      List<Unmatched> onlyInB) {
    this.architectureA = a.architecture();
    this.architectureB = b.architecture();
    this.structureA = a.structure();
    this.structureB = b.structure();
    this.architecture = architectureA.equals(architectureB) ? Architecture.IDENTICAL
        : structureA.equals(structureB) ? Architecture.RENAMED : Architecture.DIFFERENT;
    this.tensorsA = a.tensors().size();
    this.tensorsB = b.tensors().size();
    this.elementsA = a.parameterCount();
    this.elementsB = b.parameterCount();
    this.identical = List.copyOf(identical);
    this.changed = List.copyOf(changed);
    this.dtypeChanged = List.copyOf(dtypeChanged);
    this.shapeChanged = List.copyOf(shapeChanged);
    this.onlyInA = List.copyOf(onlyInA);
    this.onlyInB = List.copyOf(onlyInB);
  }

  /**
   * Compares two models. Reads every tensor of both once (to digest it), then a bounded sample of
   * each changed or re-typed tensor.
   *
   * @throws SafetensorsException if a file cannot be read or changed since its header was read
   */
  public static ModelComparison compare(SafetensorsModel a, SafetensorsModel b) throws SafetensorsException {
    Objects.requireNonNull(a, "a");
    Objects.requireNonNull(b, "b");
    return compare(a, a.tensorDigests(), b, b.tensorDigests());
  }

  /**
   * {@link #compare(SafetensorsModel, SafetensorsModel)} with each model's tensor digests computed
   * earlier ({@link SafetensorsModel#tensorDigests()}), so that a caller comparing one model with many
   * reads its tensors once; only the samples of changed tensors are read here.
   *
   * @throws IllegalArgumentException if a digest map does not name exactly its model's tensors
   * @throws SafetensorsException if a file cannot be read or changed since its header was read
   */
  public static ModelComparison compare(SafetensorsModel a, SortedMap<String, Digest> digestsA, SafetensorsModel b,
      SortedMap<String, Digest> digestsB) throws SafetensorsException {
    requireDigestsOf(a, digestsA, "A");
    requireDigestsOf(b, digestsB, "B");
    List<Identical> identical = new ArrayList<>();
    List<Changed> changed = new ArrayList<>();
    List<DtypeChanged> dtypeChanged = new ArrayList<>();
    List<ShapeChanged> shapeChanged = new ArrayList<>();
    List<ModelTensor> leftA = new ArrayList<>();
    List<ModelTensor> leftB = new ArrayList<>();
    try (Channels channels = new Channels()) {
      for (ModelTensor ta : a.tensors()) {
        ModelTensor tb = b.tensor(ta.name()).orElse(null);
        if (tb == null) {
          leftA.add(ta);
          continue;
        }
        Digest da = digestOf(ta, digestsA);
        Digest db = digestOf(tb, digestsB);
        boolean sameShape = ta.info().shape().equals(tb.info().shape());
        if (!sameShape) {
          shapeChanged.add(new ShapeChanged(ta.name(), ta.info().dtype(), ta.info().shape(), tb.info().dtype(),
              tb.info().shape()));
        } else if (ta.info().dtype() != tb.info().dtype()) {
          dtypeChanged.add(new DtypeChanged(ta.name(), ta.info().shape(), ta.info().dtype(), tb.info().dtype(),
              similarity(channels, ta, tb)));
        } else if (da.equals(db)) {
          identical.add(new Identical(ta.name(), tb.name(), ta.info().dtype(), ta.info().shape(), da));
        } else {
          changed.add(new Changed(ta.name(), ta.info().dtype(), ta.info().shape(), da, db,
              similarity(channels, ta, tb)));
        }
      }
    }
    for (ModelTensor tb : b.tensors()) {
      if (a.tensor(tb.name()).isEmpty()) {
        leftB.add(tb);
      }
    }
    // Content matching across names: group the leftovers by (dtype, shape, digest), pair in name order.
    Map<String, List<ModelTensor>> groupsB = new LinkedHashMap<>();
    for (ModelTensor tb : leftB) {
      groupsB.computeIfAbsent(contentKey(tb, digestsB), k -> new ArrayList<>()).add(tb);
    }
    Map<String, Integer> used = new HashMap<>();
    List<Unmatched> onlyInA = new ArrayList<>();
    List<ModelTensor> matchedB = new ArrayList<>();
    for (ModelTensor ta : leftA) { // leftA is in name order, as is each group
      String key = contentKey(ta, digestsA);
      List<ModelTensor> group = groupsB.getOrDefault(key, List.of());
      int next = used.getOrDefault(key, 0);
      if (next < group.size()) {
        ModelTensor tb = group.get(next);
        used.put(key, next + 1);
        matchedB.add(tb);
        identical.add(new Identical(ta.name(), tb.name(), ta.info().dtype(), ta.info().shape(),
            digestOf(ta, digestsA)));
      } else {
        onlyInA.add(unmatched(ta, digestsA));
      }
    }
    List<Unmatched> onlyInB = new ArrayList<>();
    java.util.Set<String> matchedNames = new java.util.HashSet<>();
    matchedB.forEach(t -> matchedNames.add(t.name()));
    for (ModelTensor tb : leftB) {
      if (!matchedNames.contains(tb.name())) {
        onlyInB.add(unmatched(tb, digestsB));
      }
    }
    identical.sort(Comparator.comparing(Identical::nameA, CodePointOrder.COMPARATOR));
    return new ModelComparison(a, b, identical, changed, dtypeChanged, shapeChanged, onlyInA, onlyInB);
  }

  private static void requireDigestsOf(SafetensorsModel m, SortedMap<String, Digest> digests, String side) {
    Objects.requireNonNull(m, side);
    Objects.requireNonNull(digests, "digests of " + side);
    if (digests.size() != m.tensors().size() || !m.tensors().stream().allMatch(t -> digests.containsKey(t.name()))) {
      throw new IllegalArgumentException("the tensor digests given for " + side + " are not those of its tensors");
    }
  }

  /** The digest of {@code t} in its model's map, which {@link #requireDigestsOf} checked names every tensor. */
  private static Digest digestOf(ModelTensor t, Map<String, Digest> digests) {
    return Objects.requireNonNull(digests.get(t.name()), "requireDigestsOf let through a map without this tensor");
  }

  private static String contentKey(ModelTensor t, Map<String, Digest> digests) {
    return digestOf(t, digests) + " " + t.info().dtype() + " " + t.info().shapeText();
  }

  private static Unmatched unmatched(ModelTensor t, Map<String, Digest> digests) {
    return new Unmatched(t.name(), t.info().dtype(), t.info().shape(), digestOf(t, digests));
  }

  /** Statistics over the sample; both tensors have the same shape. */
  private static Similarity similarity(Channels channels, ModelTensor ta, ModelTensor tb) throws SafetensorsException {
    Dtype da = ta.info().dtype();
    Dtype db = tb.info().dtype();
    long n = ta.info().elementCount();
    if (!da.byteAddressable() || !db.byteAddressable()) {
      return Similarity.none(n);
    }
    int sa = da.byteSize();
    int sb = db.byteSize();
    byte[] xa = ElementSampler.sample(channels.get(ta.file()), ta.file().path().toString(),
        ta.file().header().dataStart(), ta.info(), sa);
    byte[] xb = ElementSampler.sample(channels.get(tb.file()), tb.file().path().toString(),
        tb.file().header().dataStart(), tb.info(), sb);
    int m = ElementSampler.sampleSize(n);
    boolean sameDtype = da == db;
    boolean numeric = da.numeric() && db.numeric();
    // Cosine is the natural statistic for floating-point weights and for any re-typing between numeric
    // types (it is scale-invariant, so it survives symmetric quantisation); for integers of one type,
    // equality is.
    boolean wantCosine = numeric && (sameDtype ? da.floatingPoint() : true);
    if (!sameDtype && !numeric) {
      return Similarity.none(n);
    }
    int equal = 0;
    double dot = 0;
    double na = 0;
    double nb = 0;
    int finitePairs = 0;
    for (int k = 0; k < m; k++) {
      if (sameDtype) {
        if (java.util.Arrays.equals(xa, k * sa, (k + 1) * sa, xb, k * sb, (k + 1) * sb)) {
          equal++;
        }
      }
      if (wantCosine) {
        double va = da.toDouble(xa, k * sa);
        double vb = db.toDouble(xb, k * sb);
        if (!sameDtype && va == vb) {
          equal++;
        }
        if (Double.isFinite(va) && Double.isFinite(vb)) {
          dot += va * vb;
          na += va * va;
          nb += vb * vb;
          finitePairs++;
        }
      }
    }
    OptionalDouble cosine = OptionalDouble.empty();
    if (wantCosine && finitePairs > 0 && na > 0 && nb > 0 && Double.isFinite(dot) && Double.isFinite(na)
        && Double.isFinite(nb)) {
      double c = dot / (Math.sqrt(na) * Math.sqrt(nb));
      cosine = OptionalDouble.of(Math.max(-1.0, Math.min(1.0, c)));
    }
    OptionalDouble eq = m == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) equal / m);
    return new Similarity(n, m, cosine, eq);
  }

  /** Channels opened once per file during a comparison, each checked against its header's file size. */
  private static final class Channels implements AutoCloseable {
    private final Map<SafetensorsFile, FileChannel> open = new HashMap<>();

    FileChannel get(SafetensorsFile f) throws SafetensorsException {
      FileChannel ch = open.get(f);
      if (ch == null) {
        ch = f.openChecked();
        open.put(f, ch);
      }
      return ch;
    }

    @Override
    public void close() {
      for (FileChannel ch : open.values()) {
        try {
          ch.close();
        } catch (IOException e) {
          // read-only channel: nothing was written, nothing to lose
        }
      }
    }
  }

  public Architecture architecture() {
    return architecture;
  }

  public Digest architectureA() {
    return architectureA;
  }

  public Digest architectureB() {
    return architectureB;
  }

  public Digest structureA() {
    return structureA;
  }

  public Digest structureB() {
    return structureB;
  }

  public int tensorsA() {
    return tensorsA;
  }

  public int tensorsB() {
    return tensorsB;
  }

  /** Byte-identical tensors, by name and (for {@link Identical#renamed()}) across names; sorted by A's name. */
  public List<Identical> identical() {
    return identical;
  }

  /** How many of {@link #identical} were matched across different names. */
  public long identicalRenamed() {
    return identical.stream().filter(Identical::renamed).count();
  }

  public List<Changed> changed() {
    return changed;
  }

  public List<DtypeChanged> dtypeChanged() {
    return dtypeChanged;
  }

  public List<ShapeChanged> shapeChanged() {
    return shapeChanged;
  }

  public List<Unmatched> onlyInA() {
    return onlyInA;
  }

  public List<Unmatched> onlyInB() {
    return onlyInB;
  }

  /**
   * The figures signed as derivation evidence ({@value ComparisonSummary#METHOD_V1}): counts,
   * element counts, and the element-weighted similarity of the changed and re-typed tensors.
   */
  public ComparisonSummary summary() {
    long identicalElements = 0;
    for (Identical t : identical) {
      identicalElements += elementCount(t.shape());
    }
    // Cosine: element-weighted mean, minimum and its tensor (first in name order among equal minima).
    long cosineTensors = 0;
    long cosineElements = 0;
    double cosineSum = 0;
    double min = Double.POSITIVE_INFINITY;
    String minName = null;
    long equalTensors = 0;
    long equalElements = 0;
    double equalSum = 0;
    List<Map.Entry<String, Similarity>> compared = new ArrayList<>();
    changed.forEach(t -> compared.add(Map.entry(t.name(), t.similarity())));
    dtypeChanged.forEach(t -> compared.add(Map.entry(t.name(), t.similarity())));
    for (Map.Entry<String, Similarity> e : compared) {
      Similarity s = e.getValue();
      if (s.cosine().isPresent()) {
        double c = s.cosine().getAsDouble();
        cosineTensors++;
        cosineElements += s.elements();
        cosineSum += c * s.elements();
        if (c < min || c == min && CodePointOrder.COMPARATOR.compare(e.getKey(), minName) < 0) {
          min = c;
          minName = e.getKey();
        }
      }
      if (s.equalFraction().isPresent()) {
        equalTensors++;
        equalElements += s.elements();
        equalSum += s.equalFraction().getAsDouble() * s.elements();
      }
    }
    Optional<ComparisonSummary.CosineFigures> cosine = Optional.empty();
    if (cosineTensors > 0) {
      // The first cosine counted set minName: Similarity keeps cosines within [-1, 1], below the initial infinity.
      String minTensor = Objects.requireNonNull(minName, "a cosine was counted but none was below +infinity");
      // Rounding is monotone, so min <= mean survives it; .min() guards the case where all cosines are
      // equal and the weighted mean comes out one ulp below them.
      BigDecimal meanFigure = ComparisonSummary.figure(cosineElements == 0 ? min : clamp(cosineSum / cosineElements));
      BigDecimal minFigure = ComparisonSummary.figure(clamp(min)).min(meanFigure);
      cosine = Optional.of(new ComparisonSummary.CosineFigures(cosineTensors, cosineElements, meanFigure, minFigure,
          Optional.of(minTensor)));
    }
    Optional<ComparisonSummary.EqualFigures> equal = Optional.empty();
    if (equalTensors > 0) {
      double mean = equalElements == 0 ? 0 : equalSum / equalElements;
      equal = Optional.of(new ComparisonSummary.EqualFigures(equalTensors,
          ComparisonSummary.figure(Math.max(0, Math.min(1, mean)))));
    }
    return new ComparisonSummary(ComparisonSummary.METHOD_V1, architecture,
        new ComparisonSummary.TensorCounts(tensorsA, tensorsB, identical.size(), identicalRenamed(), changed.size(),
            dtypeChanged.size(), shapeChanged.size(), onlyInA.size(), onlyInB.size()),
        new ComparisonSummary.ElementCounts(elementsA, elementsB, identicalElements), cosine, equal);
  }

  private static double clamp(double cosine) {
    return Math.max(-1.0, Math.min(1.0, cosine));
  }

  /** The element count of a validated shape (its byte size fits in a long, so the product does). */
  private static long elementCount(List<Long> shape) {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Counts by category, in a stable order: identical, changed, dtypeChanged, shapeChanged, onlyInA, onlyInB. */
  public Map<String, Integer> counts() {
    Map<String, Integer> m = new LinkedHashMap<>();
    m.put("identical", identical.size());
    m.put("changed", changed.size());
    m.put("dtypeChanged", dtypeChanged.size());
    m.put("shapeChanged", shapeChanged.size());
    m.put("onlyInA", onlyInA.size());
    m.put("onlyInB", onlyInB.size());
    return java.util.Collections.unmodifiableMap(m);
  }
}
