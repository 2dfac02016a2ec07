package dev.custody.postgresql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.core.FormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ledger URLs: libpq's form to pgjdbc's, and never a password on the command line. */
class PostgresUrlTest {
  @TempDir Path tmp;

  @Test
  void parse_multiHostWithParameters_jdbcUrlKeepsHostsAndDriverParameters() throws Exception {
    PostgresUrl u = PostgresUrl.parse("postgresql://writer@db1:5432,db2:5433/ledger?targetServerType=primary"
        + "&connectTimeout=5&logKey=/keys/log.key", Map.of());

    assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db1:5432,db2:5433/ledger?targetServerType=primary&connectTimeout=5");
    assertThat(u.user()).contains("writer");
    assertThat(u.logKeyFile()).contains(Path.of("/keys/log.key"));
  }

  @Test
  void parse_passwordInUserInfo_refusedWithoutEchoingIt() {
    assertThatThrownBy(() -> PostgresUrl.parse("postgresql://writer:s3cret@db/ledger", Map.of()))
        .isInstanceOf(FormatException.class)
        .hasMessageContaining("holds a password").hasMessageContaining("PGPASSWORD").hasMessageContaining("~/.pgpass")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void parse_passwordParameter_refusedWhateverItsCase() {
    for (String p : new String[] {"password", "PASSWORD", "sslpassword"}) {
      assertThatThrownBy(() -> PostgresUrl.parse("postgresql://db/ledger?" + p + "=s3cret", Map.of()))
          .isInstanceOf(FormatException.class).hasMessageContaining("holds a password").hasMessageNotContaining("s3cret");
    }
  }

  @Test
  void parse_noDatabaseOrHost_refused() {
    assertThatThrownBy(() -> PostgresUrl.parse("postgresql://db", Map.of())).hasMessageContaining("names no database");
    assertThatThrownBy(() -> PostgresUrl.parse("postgresql:///ledger", Map.of())).hasMessageContaining("names no host");
    assertThatThrownBy(() -> PostgresUrl.parse("mysql://db/ledger", Map.of())).hasMessageContaining("not a PostgreSQL");
  }

  @Test
  void properties_passwordFileElseEnvironment_userFromUrlElsePgUser() throws Exception {
    Path pw = Files.writeString(tmp.resolve("pw"), "from-file\nignored\n");

    PostgresUrl withFile = PostgresUrl.parse("postgresql://db/ledger?passwordFile=" + pw, Map.of("PGUSER", "envuser"));
    PostgresUrl plain = PostgresUrl.parse("postgresql://db/ledger", Map.of());

    assertThat(withFile.properties(Map.of("PGPASSWORD", "from-env")).getProperty("password")).isEqualTo("from-file");
    assertThat(withFile.properties(Map.of()).getProperty("user")).isEqualTo("envuser");
    assertThat(plain.properties(Map.of("PGPASSWORD", "from-env")).getProperty("password")).isEqualTo("from-env");
    assertThat(plain.properties(Map.of()).getProperty("password")).isNull(); // pgjdbc reads ~/.pgpass
    assertThat(plain.user()).isEqualTo(Optional.empty());
  }

  @Test
  void properties_emptyPasswordFile_failsNamingIt() throws Exception {
    Path pw = Files.writeString(tmp.resolve("pw"), "");
    PostgresUrl u = PostgresUrl.parse("postgresql://db/ledger?passwordFile=" + pw, Map.of());

    assertThatThrownBy(() -> u.properties(Map.of())).hasMessageContaining(pw.toString()).hasMessageContaining("empty");
  }

  /**
   * Hostile URLs (seeded, reproducible): whatever the bytes, parsing either succeeds or fails with a
   * FormatException, and a URL carrying a password is refused without the password in the message.
   */
  @Test
  void parse_randomUrls_formatExceptionOrParsedAndNeverEchoesAPassword() {
    String alphabet = "postgresql:/@?&=,;%[]#.\\ \u0000\u202eabcPASSWORDpassword123";
    java.util.Random random = new java.util.Random(20261205);
    for (int i = 0; i < 5_000; i++) {
      StringBuilder b = new StringBuilder(random.nextBoolean() ? "postgresql://" : "");
      int n = random.nextInt(40);
      for (int k = 0; k < n; k++) {
        b.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String url = b.toString();
      String withPassword = random.nextBoolean()
          ? "postgresql://u:zz9secret9zz@" + url.replace("postgresql://", "") + "/db"
          : "postgresql://h/db?" + url.replace("postgresql://", "") + "&password=zz9secret9zz";
      try {
        PostgresUrl.parse(url, Map.of());
      } catch (FormatException expected) {
        // a clear refusal is fine
      }
      assertThatThrownBy(() -> PostgresUrl.parse(withPassword, Map.of())).as(withPassword)
          .isInstanceOf(FormatException.class).hasMessageNotContaining("zz9secret9zz");
    }
  }
}
