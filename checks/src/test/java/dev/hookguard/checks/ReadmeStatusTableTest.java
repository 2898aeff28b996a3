package dev.hookguard.checks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.hookguard.delivery.Refusal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The README's status table is the {@link Refusal} enum: one row per constant, with its status, headers and connection. */
class ReadmeStatusTableTest {

    private static String row(Refusal refusal) {
        String headers = refusal.allow().map(methods -> "`Allow: " + methods + "`").orElse(refusal.retryAfter() ? "`Retry-After`" : "");
        String connection = switch (refusal.connection()) {
            case KEEP -> "kept";
            case CLOSE -> "closed";
            case CLOSE_WHEN_BODY_FOLLOWS -> "closed when a body follows";
        };
        return refusal.status() + " | " + headers + " | " + connection;
    }

    @Test
    void everyRefusalHasItsRowAndEveryRowIsARefusal() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        int table = readme.indexOf("| code | status | headers | connection | when |");
        assertThat(table).as("the status table").isPositive();
        Map<String, String> documented = new LinkedHashMap<>();
        for (String line : readme.substring(table, readme.indexOf("\n\n", table)).split("\n")) {
            if (line.startsWith("| `")) {
                String[] cells = line.split("\\|");
                documented.put(cells[1].strip().replace("`", ""), cells[2].strip() + " | " + cells[3].strip() + " | " + cells[4].strip());
            }
        }
        Map<String, String> enumerated = new LinkedHashMap<>();
        for (Refusal refusal : Refusal.values()) {
            enumerated.put(refusal.code(), row(refusal));
        }
        assertThat(documented).containsExactlyEntriesOf(enumerated);
    }
}
