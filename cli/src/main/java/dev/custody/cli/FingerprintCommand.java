package dev.custody.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.custody.core.Digest;
import dev.custody.core.safetensors.SafetensorsException;
import dev.custody.core.safetensors.SafetensorsFile;
import dev.custody.core.safetensors.SafetensorsModel;
import dev.custody.core.safetensors.SafetensorsModel.ModelTensor;
import dev.custody.core.internal.text.Untrusted;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "fingerprint", mixinStandardHelpOptions = true,
    description = {"Fingerprint a safetensors model (a file, or a directory of *.safetensors shards):",
        "the architecture fingerprint (tensor names, dtypes, shapes) and the name-blind structure fingerprint",
        "(the multiset of dtypes and shapes). Reads only the headers unless --tensors is given.",
        "Malformed files are rejected (exit 2) naming the file, the tensor and the problem."})
final class FingerprintCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "PATH", description = "A .safetensors file or a model directory.")
  Path path;

  @Option(names = "--json", description = "Print JSON: architecture, structure, tensors (count), parameters, bytes, files.")
  boolean json;

  @Option(names = "--tensors", description = "Also list every tensor with its dtype, shape, file and SHA-256 (reads all data).")
  boolean tensors;

  @Override
  public Integer call() throws SafetensorsException, IOException {
    SafetensorsModel model = SafetensorsModel.open(path);
    SortedMap<String, Digest> digests = tensors ? model.tensorDigests() : null;
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.object(g -> {
        g.writeStringField("path", path.toString());
        g.writeStringField("architecture", model.architecture().toString());
        g.writeStringField("structure", model.structure().toString());
        g.writeNumberField("tensors", model.tensors().size());
        g.writeNumberField("parameters", model.parameterCount());
        g.writeNumberField("bytes", model.tensorBytes());
        g.writeArrayFieldStart("files");
        for (SafetensorsFile f : model.files()) {
          g.writeStartObject();
          g.writeStringField("path", f.label());
          g.writeNumberField("size", f.header().fileSize());
          g.writeNumberField("headerLength", f.header().headerLength());
          g.writeNumberField("tensors", f.header().tensors().size());
          g.writeObjectFieldStart("metadata");
          for (Map.Entry<String, String> e : f.header().metadata().entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
          }
          g.writeEndObject();
          g.writeEndObject();
        }
        g.writeEndArray();
        if (digests != null) {
          g.writeArrayFieldStart("tensorDigests");
          for (ModelTensor t : model.tensors()) {
            g.writeStartObject();
            g.writeStringField("name", t.name());
            g.writeStringField("file", t.file().label());
            g.writeStringField("dtype", t.info().dtype().name());
            shape(g, "shape", t.info().shape());
            g.writeStringField("sha256", digests.get(t.name()).toString());
            g.writeEndObject();
          }
          g.writeEndArray();
        }
      }));
    } else {
      out.printf("architecture  %s%nstructure     %s%ntensors       %d (%d parameters, %d bytes) in %d file(s)%n",
          model.architecture(), model.structure(), model.tensors().size(), model.parameterCount(),
          model.tensorBytes(), model.files().size());
      for (SafetensorsFile f : model.files()) {
        out.printf("  %s  %d tensors, %d bytes%n", Untrusted.escape(f.label()), f.header().tensors().size(),
            f.header().fileSize());
      }
      if (digests != null) {
        for (ModelTensor t : model.tensors()) {
          out.printf("%s  %s %s  %s%n", digests.get(t.name()), t.info().dtype(), t.info().shapeText(),
              Untrusted.escape(t.name()));
        }
      }
    }
    return Main.VERIFIED;
  }

  static void shape(JsonGenerator g, String field, java.util.List<Long> shape) throws IOException {
    g.writeArrayFieldStart(field);
    for (long d : shape) {
      g.writeNumber(d);
    }
    g.writeEndArray();
  }
}
