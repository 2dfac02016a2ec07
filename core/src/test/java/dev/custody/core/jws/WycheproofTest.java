package dev.custody.core.jws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.custody.core.FormatException;
import dev.custody.core.Vectors;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every Wycheproof case of the algorithms custody allows, through custody's own verify path
 * ({@link VerificationKey#verifyRaw} and {@link JwsEnvelope#verify}). "valid" must verify and
 * "invalid" must fail; these files contain no "acceptable" results, and an unknown result fails the test.
 * Disagreements are collected and reported together, each with its tcId and comment.
 */
class WycheproofTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void ed25519_everyCase_agreesWithExpectedResult() {
    JsonNode file = Vectors.json("wycheproof/ed25519_test.json");
    int n = runRaw(file, g -> VerificationKey.ed25519(HEX.parseHex(g.get("publicKey").get("pk").asText())));
    assertThat(n).isEqualTo(file.get("numberOfTests").asInt()).isEqualTo(151);
  }

  @Test
  void ecdsaP256Sha256P1363_everyCase_agreesWithExpectedResult() {
    JsonNode file = Vectors.json("wycheproof/ecdsa_secp256r1_sha256_p1363_test.json");
    int n = runRaw(file, g -> VerificationKey.fromSpki(HEX.parseHex(g.get("publicKeyDer").asText()), "wycheproof key"));
    assertThat(n).isEqualTo(file.get("numberOfTests").asInt()).isEqualTo(262);
  }

  @Test
  void jwsEs256_everyApplicableCase_agreesWithExpectedResult() throws Exception {
    JsonNode file = Vectors.json("wycheproof/json_web_signature_test.json");
    List<String> disagreements = new ArrayList<>();
    int run = 0;
    for (JsonNode g : file.get("testGroups")) {
      JsonNode pub = g.get("public");
      // Applicable: ES256 signing keys. Not applicable: RSA/HMAC/P-521 (not on custody's allow-list, so
      // custody cannot even hold such a key) and the "ec_key_for_encryption" groups, which test a JWK's
      // "use"/"key_ops": custody keys are SPKI with no such attributes.
      if (pub == null || !"ES256".equals(pub.path("alg").asText()) || !"sig".equals(pub.path("use").asText())) {
        continue;
      }
      VerificationKey key = JoseRfcVectorsTest.es256Key(pub);
      for (JsonNode t : g.get("tests")) {
        run++;
        String outcome;
        try {
          JwsEnvelope.fromCompact(t.get("jws").asText(), "tc " + t.get("tcId")).verify(key);
          outcome = "valid";
        } catch (FormatException | SignatureException e) {
          outcome = "invalid";
        }
        check(t, outcome, disagreements);
      }
    }
    assertThat(run).isEqualTo(15 + 24);
    assertThat(disagreements).isEmpty();
  }

  interface KeyFactory {
    VerificationKey key(JsonNode group) throws FormatException;
  }

  private static int runRaw(JsonNode file, KeyFactory keys) {
    List<String> disagreements = new ArrayList<>();
    int run = 0;
    for (JsonNode g : file.get("testGroups")) {
      VerificationKey key;
      try {
        key = keys.key(g);
      } catch (FormatException e) {
        // A key custody refuses to load cannot verify anything: every case of the group must be invalid.
        key = null;
      }
      for (JsonNode t : g.get("tests")) {
        run++;
        String outcome;
        if (key == null) {
          outcome = "invalid";
        } else {
          try {
            key.verifyRaw(HEX.parseHex(t.get("msg").asText()), HEX.parseHex(t.get("sig").asText()));
            outcome = "valid";
          } catch (SignatureException e) {
            outcome = "invalid";
          }
        }
        check(t, outcome, disagreements);
      }
    }
    assertThat(disagreements).isEmpty();
    return run;
  }

  private static void check(JsonNode t, String outcome, List<String> disagreements) {
    String expected = t.get("result").asText();
    if (!expected.equals("valid") && !expected.equals("invalid")) {
      fail("tcId " + t.get("tcId") + ": result '" + expected + "' needs a documented decision");
    }
    if (!expected.equals(outcome)) {
      disagreements.add("tcId " + t.get("tcId") + " (" + t.get("comment").asText() + " " + t.get("flags")
          + "): expected " + expected + ", got " + outcome);
    }
  }
}
