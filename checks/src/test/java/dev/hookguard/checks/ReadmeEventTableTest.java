package dev.hookguard.checks;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's table of Mautic event types names, for each, the record whose TYPE it is; every record is in it. */
class ReadmeEventTableTest {

    @Test
    void everyRowNamesTheRecordOfItsTypeAndEveryTypeHasARow() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
        Matcher row = Pattern.compile("(?m)^\\| `(mautic\\.[a-z_]+)` \\| `(\\w+)` \\|").matcher(readme);
        Map<String, String> rows = new LinkedHashMap<>();
        while (row.find()) {
            rows.put(row.group(1), row.group(2));
        }
        assertThat(rows).hasSize(14);
        for (Map.Entry<String, String> entry : rows.entrySet()) {
            Class<?> record = Class.forName("dev.hookguard.mautic." + entry.getValue());
            assertThat(record.getField("TYPE").get(null)).as(entry.getValue()).isEqualTo(entry.getKey());
        }
        assertThat(dev.hookguard.mautic.MauticEvent.class.getPermittedSubclasses())
                .filteredOn(c -> !c.getSimpleName().equals("UnknownEvent"))
                .extracting(Class::getSimpleName).containsExactlyInAnyOrderElementsOf(rows.values());
    }
}
